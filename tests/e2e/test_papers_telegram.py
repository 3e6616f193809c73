"""Papers and pictures on Telegram: `blocbot run` against the Bot API emulator.

The head of the sample bloc asks for /xuat and gets the summary table as a document that opens
as a workbook (its "Tổng hợp" sheet titled as the export titles it); /bieudo brings the ranking
as a photo; and since the bloc file asks for the results with a picture (``season.pictures``),
the provisional results /congbo posts reach the group with the ranking as a photo. Runs on
SQLite and, when configured, on PostgreSQL.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl

from bot.app import App
from bot.clock import FrozenClock
from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import TelegramEmulator
from tests.e2e.season import seeded

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = b"\x89PNG\r\n\x1a\n"
SUMMARY = "Tổng hợp"
TITLE = "Bảng tổng hợp điểm"  # the summary sheet's A1


def results_pictured(data: dict[str, Any]) -> None:
    data["season"]["pictures"] = ["results"]


def workbook_sheets(data: bytes) -> tuple[list[str], object]:
    """The sheet names of an XLSX file and the A1 of its summary sheet."""
    assert data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data))
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(book.sheetnames), book[SUMMARY]["A1"].value
    finally:
        book.close()


async def test_the_export_a_document_the_chart_and_the_groups_results_photos(
    tg: TelegramEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC))  # the child process runs on the real clock
    codes = await seeded(app, days=7, change=results_pictured)
    bot = BotProcess.against(tg, database_url, tmp_path).start()
    try:
        await bot.wait_running()
        head = tg.user(3001, "Trưởng khối")
        await head.send(f"/start {codes['nhnn']}")
        assert "Trưởng khối" in (await tg.wait_reply(head, timeout=10)).text

        await head.send("/xuat")
        text, document = await tg.wait_for(head, count=2, timeout=15)
        assert "Bảng tổng hợp điểm" in text.text
        assert document.kind == "document" and document.file is not None
        assert document.file.file_name.endswith(".xlsx") and document.file.mime_type == XLSX
        names, title = workbook_sheets(document.file.content)
        assert names[0] == SUMMARY and "nhnn" in names and title == TITLE

        await head.send("/bieudo")
        text, photo = await tg.wait_for(head, count=2, timeout=15)
        assert text.text.startswith("Biểu đồ xếp hạng của ")
        assert photo.kind == "photo" and photo.file is not None
        assert photo.file.content.startswith(PNG)

        group = tg.group(-1001234, "Khối thi đua TW Thái Bình", admins=[head])
        await head.send(f"/linkgroup {codes['group']}", chat=group)
        assert "đã được liên kết" in (await tg.wait_reply(group, timeout=10)).text
        await head.send("/congbo")
        assert "Công bố kết quả tạm thời" in (await tg.wait_reply(head, timeout=10)).text
        await head.press("Công bố")
        text, photo = await tg.wait_for(group, count=2, timeout=15)
        assert text.text.startswith("Kết quả tạm thời năm thi đua 2021")
        assert photo.kind == "photo" and photo.file is not None
        assert photo.file.content.startswith(PNG)
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-4000:])
