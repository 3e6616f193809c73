"""Files on Telegram, against the Bot API emulator: a reply's document and image arrive as a
document and a photo with their names; an outbox message sends its files after its text, and
a retry after a failed upload sends only what did not go out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import App
from bot.channels import telegram_outbox
from bot.channels.hub import Hub
from bot.channels.telegram import TelegramChannel
from bot.handlers.context import Context
from bot.handlers.model import Attachment, AttachmentKind, Outgoing
from bot.handlers.router import Audience, Command
from bot.scheduler import dispatcher as dispatching
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.sending import PARTS_SENT, SENT_IDS
from bot.storage.files import OutboxFile
from bot.storage.models import OutboxMessage
from bot.storage.repositories import NewMessage
from bot.testing.process import TOKEN
from bot.testing.telegram_emulator import TelegramEmulator

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = b"PK\x03\x04 tong hop diem"
CHART = b"\x89PNG\r\n\x1a\n bieu do"


@pytest.fixture
async def channel(tg: TelegramEmulator, live: App) -> AsyncIterator[TelegramChannel]:
    settings = live.settings.model_copy(
        update={"telegram_token": SecretStr(TOKEN), "telegram_base_url": tg.api_url}
    )
    running = TelegramChannel(settings, live.router, Hub())
    await running.start()
    yield running
    await running.stop()


async def test_a_reply_with_a_document_and_an_image_arrives_as_both(
    tg: TelegramEmulator, live: App, channel: TelegramChannel
) -> None:
    sheet = Attachment(AttachmentKind.DOCUMENT, "tổng hợp.xlsx", XLSX, data=SHEET)
    chart = Attachment(AttachmentKind.IMAGE, "bieu-do.png", "image/png", data=CHART)

    async def export(ctx: Context, _args: str) -> None:
        ctx.replies.add(Outgoing("Bảng tổng hợp điểm", attachments=(sheet, chart)))

    live.router.command(Command("testexport", export, Audience.ANYONE, "test"))
    hoa = tg.user(2101, "Hoa")
    await hoa.send("/testexport")

    text, document, photo = await tg.wait_for(hoa, count=3)
    assert (text.kind, text.text) == ("text", "Bảng tổng hợp điểm")
    assert document.kind == "document" and document.file is not None
    assert (document.file.file_name, document.file.content) == ("tổng hợp.xlsx", SHEET)
    assert document.file.mime_type == XLSX and document.caption is None
    assert photo.kind == "photo" and photo.file is not None and photo.file.content == CHART


async def test_a_reply_whose_file_is_gone_still_sends_its_text(
    tg: TelegramEmulator, live: App, channel: TelegramChannel
) -> None:
    lost = Attachment(AttachmentKind.DOCUMENT, "mất.xlsx", XLSX, file_ref="e" * 64)
    hoa = tg.user(2102, "Hoa")
    tg.chat_of(hoa, None)

    await channel.send(Outgoing("Không có tệp", chat_id=str(hoa.id), attachments=(lost,)))
    await channel.send(Outgoing("Tin sau", chat_id=str(hoa.id)))

    assert [m.text for m in tg.messages(hoa)] == ["Không có tệp", "Tin sau"]


@pytest.fixture
async def sending(
    channel: TelegramChannel, live: App, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Dispatcher]:
    """The dispatcher on the running channel; a transient failure is retried at once."""
    monkeypatch.setattr(telegram_outbox, "PART_PAUSE", 0.0)
    monkeypatch.setattr(dispatching, "BACKOFF", 0.05)
    dispatcher = live.dispatcher(channel.hub, worker_id="e2e")
    running = asyncio.create_task(dispatcher.run())
    yield dispatcher
    dispatcher.stop()
    await asyncio.wait_for(running, 10)


async def only_row(app: App) -> OutboxMessage:
    async with app.uow() as unit:
        row = (await unit.session.execute(select(OutboxMessage))).scalar_one()
        unit.session.expunge(row)
        return row


async def test_the_outbox_sends_the_files_after_the_text_and_a_retry_only_what_is_left(
    tg: TelegramEmulator, live: App, channel: TelegramChannel, sending: Dispatcher
) -> None:
    lan = tg.user(2103, "Lan")
    tg.chat_of(lan, None)
    files = live.files
    attachments = (
        OutboxFile("document", "tong-hop.xlsx", XLSX, await files.put(SHEET)),
        OutboxFile("image", "bieu-do.png", "image/png", await files.put(CHART)),
    )
    tg.fail_next("sendDocument", status=500)  # the text went out, the document did not
    now = datetime.now(UTC)
    async with live.uow() as unit:
        message = NewMessage(
            "telegram", str(lan.id), "Tổng hợp điểm", now, attachments=attachments
        )
        await unit.outbox.enqueue([message], now)
        await unit.commit()

    text, document, photo = await tg.wait_for(lan, count=3, timeout=10)
    deadline = time.monotonic() + 5
    row = await only_row(live)
    while row.status != "sent" and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        row = await only_row(live)

    assert [m.kind for m in tg.messages(lan)] == ["text", "document", "photo"]  # text once
    assert text.text == "Tổng hợp điểm"
    assert document.file is not None and document.file.file_name == "tong-hop.xlsx"
    assert document.file.content == SHEET
    assert photo.file is not None and photo.file.content == CHART
    assert (row.status, row.attempts, row.payload[PARTS_SENT]) == ("sent", 2, 3)
    assert row.payload[SENT_IDS] == [str(m.message_id) for m in (text, document, photo)]
