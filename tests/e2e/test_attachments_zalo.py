"""Files on Zalo, against the Zalo emulator and the bot's own web server: an image goes as a
photo whose address serves its bytes, a document as a line whose link downloads it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import App
from bot.app.running import build_channels
from bot.channels import zalo_outbox
from bot.channels.hub import Hub
from bot.channels.zalo import ZaloChannel
from bot.handlers.model import Attachment, AttachmentKind, Outgoing
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.sending import PARTS_SENT
from bot.storage.files import LINK_PATH, FileLinks, OutboxFile, link_key
from bot.storage.models import OutboxMessage
from bot.storage.repositories import NewMessage
from bot.testing.process import ZALO_TOKEN
from bot.testing.zalo_emulator import ZaloEmulator
from bot.web.files import file_download
from bot.web.health import Health
from bot.web.metrics import Metrics
from bot.web.server import WebServer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = b"PK\x03\x04 tong hop diem"
CHART = b"\x89PNG\r\n\x1a\n bieu do"
KEY = link_key(None, ZALO_TOKEN)


@pytest.fixture
async def zl() -> AsyncIterator[ZaloEmulator]:
    async with ZaloEmulator() as emulator:
        emulator.longest_poll = 1
        yield emulator


@pytest.fixture
async def links(live: App) -> AsyncIterator[FileLinks]:
    """The bot's web server with its download route; links to it."""
    files = live.files
    server = WebServer("127.0.0.1:0", Health(live.uow), Metrics(("zalo",)))
    server.route("GET", LINK_PATH, file_download(files, FileLinks(KEY, ""), "vi"))
    await server.start()
    yield FileLinks(KEY, f"http://127.0.0.1:{server.port}")
    await server.stop()


@pytest.fixture
async def channel(
    zl: ZaloEmulator, live: App, links: FileLinks, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ZaloChannel]:
    monkeypatch.setattr(zalo_outbox, "PART_PAUSE", 0.0)
    settings = live.settings.model_copy(
        update={"zalo_token": SecretStr(ZALO_TOKEN), "zalo_base_url": zl.api_url}
    )
    running = ZaloChannel(settings, live.router, Hub(), links=links)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def sending(channel: ZaloChannel, live: App) -> AsyncIterator[Dispatcher]:
    dispatcher = live.dispatcher(channel.hub, worker_id="e2e")
    running = asyncio.create_task(dispatcher.run())
    yield dispatcher
    dispatcher.stop()
    await asyncio.wait_for(running, 10)


async def download(url: str) -> tuple[int, bytes, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        return answer.status, await answer.read(), answer.headers.get("Content-Disposition", "")


async def only_row(app: App) -> OutboxMessage:
    async with app.uow() as unit:
        row = (await unit.session.execute(select(OutboxMessage))).scalar_one()
        unit.session.expunge(row)
        return row


async def test_the_outbox_sends_a_photo_by_its_address_and_a_document_as_a_link(
    zl: ZaloEmulator, live: App, sending: Dispatcher
) -> None:
    lan = zl.user("a1b2c3d4e5f6a7b8c9d0", "Lan")
    files = live.files
    attachments = (
        OutboxFile("image", "bieu-do.png", "image/png", await files.put(CHART)),
        OutboxFile("document", "tổng hợp.xlsx", XLSX, await files.put(SHEET)),
    )
    now = datetime.now(UTC)
    async with live.uow() as unit:
        message = NewMessage("zalo", lan.id, "Tổng hợp điểm", now, attachments=attachments)
        await unit.outbox.enqueue([message], now)
        await unit.commit()
    sending.wake.set()

    text, photo, document = await zl.wait_for(lan, count=3, timeout=10)

    assert (text.kind, text.text) == ("text", "Tổng hợp điểm")
    assert photo.kind == "photo" and photo.photo is not None
    assert await download(photo.photo) == (200, CHART, photo_disposition())
    assert document.kind == "text" and document.text is not None
    name, link = document.text.split("\n")
    assert name == "📎 tổng hợp.xlsx"
    status, body, disposition = await download(link)
    assert (status, body) == (200, SHEET) and disposition.startswith("attachment;")
    assert (await download(link.replace("xlsx", "html")))[0] == 403
    deadline = time.monotonic() + 5
    row = await only_row(live)
    while row.status != "sent" and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        row = await only_row(live)
    assert (row.status, row.payload[PARTS_SENT]) == ("sent", 3)


def photo_disposition() -> str:
    return "inline; filename=\"bieu-do.png\"; filename*=UTF-8''bieu-do.png"


async def test_a_reply_with_a_chart_sends_it_by_its_address(
    zl: ZaloEmulator, channel: ZaloChannel
) -> None:
    minh = zl.user("0f9e8d7c6b5a4f3e2d1c", "Minh")
    chart = Attachment(AttachmentKind.IMAGE, "bieu-do.png", "image/png", data=CHART)

    await channel.send(Outgoing("Bảng xếp hạng", chat_id=minh.id, attachments=(chart,)))

    text, photo = await zl.wait_for(minh, count=2)
    assert text.text == "Bảng xếp hạng" and photo.photo is not None
    assert (await download(photo.photo))[:2] == (200, CHART)


async def test_blocbot_run_serves_the_links_of_the_zalo_channel(live: App) -> None:
    settings = live.settings.model_copy(
        update={"zalo_token": SecretStr(ZALO_TOKEN), "listen": "127.0.0.1:0"}
    )
    server = WebServer(settings.listen, Health(live.uow), Metrics(("zalo",)))
    (zalo,) = build_channels(settings, live, Hub(), Health(live.uow), Metrics(("zalo",)), server)
    assert isinstance(zalo, ZaloChannel)
    url = zalo.links.url(await zalo.files.put(SHEET), "tong-hop.xlsx")
    await server.start()
    try:
        path = url.removeprefix(zalo.links.base_url)
        assert (await download(f"http://127.0.0.1:{server.port}{path}"))[:2] == (200, SHEET)
    finally:
        await server.stop()
        await zalo.api.close()
