"""Papers and pictures on Zalo: `blocbot run` against the Zalo Bot API emulator.

Zalo takes no documents from bots: the head's /xuat arrives as a line with a signed link to the
bot's own web server, which downloads the very file the export kept (a workbook with its
"Tổng hợp" sheet); a changed link is refused, and so is one whose time ran out
(BLOCBOT_LINK_LIFETIME, 2 s here). /bieudo arrives as a photo whose address serves the PNG,
and so does the ranking with the provisional results /congbo posts to the group, since the
bloc file asks for it (``season.pictures``). Runs on SQLite and, when configured, on
PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bot.app import App
from bot.clock import FrozenClock
from bot.storage.files import FolderStore, ref_of
from bot.testing.process import BotProcess
from bot.testing.zalo_emulator import ZaloEmulator, ZaloUser
from tests.e2e.season import seeded
from tests.e2e.test_papers_telegram import (
    PNG,
    SUMMARY,
    TITLE,
    results_pictured,
    workbook_sheets,
)
from tests.e2e.test_zalo_story import BOT_NAME, choose, free_port
from tests.e2e.test_zalo_story import zl as zl  # the emulator, long polls of 2 s

HEAD = "5a1b2c3d4e5f60718293"
EXPIRED = "Liên kết tải xuống này đã hết hạn; hãy yêu cầu bot gửi lại."


async def download(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        return answer.status, await answer.read()


async def started(
    zl: ZaloEmulator,
    app: App,
    clock: FrozenClock,
    database_url: str,
    tmp_path: Path,
    change: Callable[[dict[str, Any]], object] | None = None,
    **settings: str,
) -> tuple[BotProcess, ZaloUser, dict[str, str]]:
    """The bot running on the sample bloc (``change`` made to its file), its web server on a
    known port (the links' base), and its head enrolled; the invite codes."""
    clock.set(datetime.now(UTC))  # the child process runs on the real clock
    codes = await seeded(app, days=7, change=change)
    bot = BotProcess.against_zalo(
        zl, database_url, tmp_path, listen=f"127.0.0.1:{free_port()}", **settings
    ).start()
    await bot.wait_running()
    head = zl.user(HEAD, "Trưởng khối")
    await head.send(codes["nhnn"])
    assert "Trưởng khối" in (await zl.wait_reply(head, timeout=10)).text
    return bot, head, codes


async def export_link(zl: ZaloEmulator, head: ZaloUser, bot: BotProcess) -> str:
    """Ask for /xuat; the download link of the line that carries the file."""
    await head.send("/xuat")
    text, line = await zl.wait_for(head, count=2, timeout=15)
    assert "Bảng tổng hợp điểm" in text.text
    name, link = line.text.split("\n")
    assert name.startswith("📎 ") and name.endswith(".xlsx")
    assert link.startswith(f"{bot.web_url}/files/")
    return link


async def test_the_export_is_a_link_to_the_same_file_and_the_pictures_photos(
    zl: ZaloEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    bot, head, codes = await started(zl, app, clock, database_url, tmp_path, results_pictured)
    try:
        link = await export_link(zl, head, bot)
        status, body = await download(link)
        assert status == 200
        assert await FolderStore(tmp_path / "files").exists(ref_of(body))  # what /xuat kept
        names, title = workbook_sheets(body)
        assert names[0] == SUMMARY and "nhnn" in names and title == TITLE
        token = link.split("/")[-2]
        # The first character: the last one of a base64 text may carry only padding bits.
        changed = ("A" if token[0] != "A" else "B") + token[1:]
        assert (await download(link.replace(token, changed)))[0] in (403, 404)
        assert (await download(link.replace(".xlsx", ".html")))[0] in (403, 404)

        await head.send("/bieudo")
        text, photo = await zl.wait_for(head, count=2, timeout=15)
        assert text.text.startswith("Biểu đồ xếp hạng của ")
        assert photo.kind == "photo" and photo.photo is not None
        status, picture = await download(photo.photo)
        assert status == 200 and picture.startswith(PNG)

        group = zl.group("g-8f1e2d3c4b5a", "Khối thi đua TW Thái Bình", members=[head])
        zl.add_bot(group)
        await head.send(f"@{BOT_NAME} /linkgroup {codes['group']}", group=group)
        assert "đã được liên kết" in (await zl.wait_reply(group, timeout=10)).text
        await head.send("/congbo")
        assert "Công bố kết quả tạm thời" in (await zl.wait_reply(head, timeout=10)).text
        await choose(zl, head, "Công bố")
        text, photo = await zl.wait_for(group, count=2, timeout=15)
        assert text.text.startswith("Kết quả tạm thời năm thi đua 2021")
        assert photo.kind == "photo" and photo.photo is not None
        status, picture = await download(photo.photo)
        assert status == 200 and picture.startswith(PNG)
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-4000:])


async def test_a_download_link_stops_working_when_its_time_runs_out(
    zl: ZaloEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    bot, head, _codes = await started(zl, app, clock, database_url, tmp_path, link_lifetime="2")
    try:
        link = await export_link(zl, head, bot)
        assert (await download(link))[0] == 200  # at once: it works (for 1 to 2 s)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 3.5  # its 2 s, the second its expiry is rounded down to
        status, body = await download(link)
        while status == 200 and loop.time() < deadline:
            await asyncio.sleep(0.2)
            status, body = await download(link)
        assert (status, body.decode().strip()) == (403, EXPIRED)
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-4000:])
