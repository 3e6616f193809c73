"""Files in the console: each one the bot sends is saved in the exports folder, its path shown;
a reply's and an outbox message's alike."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.channels.console import ConsoleChannel
from bot.channels.console_files import save
from bot.channels.console_render import Look
from bot.clock import FrozenClock
from bot.config import Settings
from bot.demo import Sandbox
from bot.handlers.model import Attachment, AttachmentKind, Outgoing
from bot.scheduler.sending import Delivery, Parcel
from bot.storage.files import ATTACHMENTS, FolderStore, OutboxFile

NOW = datetime(2025, 11, 10, 2, 0, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = b"\x89PNG\r\n\x1a\n chart"


@pytest.fixture
async def channel(tmp_path: Path) -> AsyncIterator[tuple[ConsoleChannel, io.StringIO]]:
    settings = Settings(_env_file=None, locale="en")  # type: ignore[call-arg]
    sandbox = Sandbox(settings, tmp_path / "demo.db", FrozenClock(NOW))
    stage = await sandbox.start()
    out = io.StringIO()
    console = ConsoleChannel(
        stage,
        start="thue",
        source=io.StringIO(),
        out=out,
        interactive=False,
        files=FolderStore(tmp_path / "files"),
        exports=tmp_path / "exports",
    )
    yield console, out
    await sandbox.close()


async def test_a_reply_with_a_chart_saves_it_and_prints_its_path(
    channel: tuple[ConsoleChannel, io.StringIO], tmp_path: Path
) -> None:
    console, out = channel
    chart = Attachment(AttachmentKind.IMAGE, "bieu-do.png", "image/png", data=PNG)

    await console.send(Outgoing("Bảng xếp hạng", chat_id=console.chat_id, attachments=(chart,)))

    saved = tmp_path / "exports" / "bieu-do.png"
    assert saved.read_bytes() == PNG
    assert out.getvalue() == f"Bảng xếp hạng\n📎 bieu-do.png: saved as {saved}\n"


async def test_an_outbox_message_with_a_document_saves_it_under_the_chat_it_went_to(
    channel: tuple[ConsoleChannel, io.StringIO], tmp_path: Path
) -> None:
    console, out = channel
    ref = await console.files.put(b"PK tong hop")
    payload = {ATTACHMENTS: [OutboxFile("document", "tong-hop.xlsx", XLSX, ref).to_json()]}
    recorded: list[str | None] = []

    async def part_sent(message_id: str | None, *, last: bool) -> None:
        recorded.append(message_id)

    parcel = Parcel(console.stage.group_id, "group", "Tổng hợp điểm", payload)
    result = await console.deliver(parcel, part_sent)

    saved = tmp_path / "exports" / "tong-hop.xlsx"
    assert result.outcome is Delivery.SENT and saved.read_bytes() == b"PK tong hop"
    assert out.getvalue().splitlines() == [
        "[group · Khối thi đua TW Thái Bình]",
        "  Tổng hợp điểm",
        f"  📎 tong-hop.xlsx: saved as {saved}",
    ]
    bad = await console.deliver(
        Parcel(console.chat_id, "private", "x", {ATTACHMENTS: [1]}), part_sent
    )
    assert bad.outcome is Delivery.REJECTED


async def test_on_a_platforms_look_a_file_is_a_message_of_its_own(
    channel: tuple[ConsoleChannel, io.StringIO], tmp_path: Path
) -> None:
    console, out = channel
    console.screen.look = Look.TELEGRAM
    chart = Attachment(AttachmentKind.IMAGE, "bieu-do.png", "image/png", data=PNG)

    await console.send(Outgoing("", chat_id=console.chat_id, attachments=(chart,)))

    assert out.getvalue() == f"📎 bieu-do.png: saved as {tmp_path / 'exports' / 'bieu-do.png'}\n"


async def test_a_name_taken_by_another_file_gets_a_number(tmp_path: Path) -> None:
    files, folder = FolderStore(tmp_path / "files"), tmp_path / "exports"
    first = Attachment(AttachmentKind.DOCUMENT, "diem.xlsx", XLSX, data=b"one")
    second = Attachment(AttachmentKind.DOCUMENT, "diem.xlsx", XLSX, data=b"two")

    assert await save(first, files, folder) == folder / "diem.xlsx"
    assert await save(first, files, folder) == folder / "diem.xlsx"  # the same bytes, same file
    assert await save(second, files, folder) == folder / "diem-2.xlsx"
    assert (folder / "diem-2.xlsx").read_bytes() == b"two"
