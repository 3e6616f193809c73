"""The sheet as a file on Zalo, which passes no documents to bots: `blocbot run` against the
Zalo Bot API emulator.

/maubieu brings a signed link that downloads the blank sheet and a signed upload link to the
bot's own web server; the contact opens the page (a form in their language), sends the filled
file from it and gets the outcome on the page and the bot's reply in the chat, as if the file
had come in the chat; a PDF is refused the same way; a changed link or one whose time ran out
answers 403 with one sentence. Runs on SQLite and, when configured, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import aiohttp

from bot.app import App
from bot.clock import FrozenClock
from bot.storage.files import FileLinks, link_key
from bot.testing.process import ZALO_TOKEN, BotProcess
from bot.testing.zalo_emulator import ZaloEmulator, ZaloUser
from tests.e2e.season import seeded
from tests.e2e.test_papers_zalo import download
from tests.e2e.test_template_telegram import XLSX, fill_in, stored
from tests.e2e.test_zalo_story import free_port
from tests.e2e.test_zalo_story import zl as zl  # the emulator, long polls of 2 s

LAN = "7b2c3d4e5f60718293a4"


async def post(url: str, data: bytes, name: str, kind: str = XLSX) -> tuple[int, str]:
    """Send a file with the upload page's form, as a browser does."""
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name, content_type=kind)
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as answer:
        return answer.status, await answer.text()


async def page(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        return answer.status, await answer.text()


async def started(
    zl: ZaloEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> tuple[BotProcess, ZaloUser]:
    """The bot on the sample bloc, speaking English, its web server on a known port (the
    links' base); thue's contact enrolled."""
    clock.set(datetime.now(UTC))  # the child process runs on the real clock
    codes = await seeded(app, days=7)
    listen = f"127.0.0.1:{free_port()}"
    bot = BotProcess.against_zalo(zl, database_url, tmp_path, listen=listen, locale="en")
    await bot.start().wait_running()
    lan = zl.user(LAN, "Lan")
    await lan.send(codes["thue"])
    assert "Cục Thuế" in (await zl.wait_reply(lan, timeout=10)).text
    return bot, lan


async def test_the_sheet_is_downloaded_and_sent_back_through_the_upload_page(
    zl: ZaloEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    bot, lan = await started(zl, app, clock, database_url, tmp_path)
    try:
        await lan.send("/maubieu")
        text, document, upload = await zl.wait_for(lan, count=3, timeout=15)
        assert "open the second link to send the file back" in text.text
        name, blank_link = document.text.split("\n")
        assert name.startswith("📎 self-score-sheet-thue-") and name.endswith(".xlsx")
        label, upload_link = upload.text.split("\n")
        assert label == "📤 Send the filled sheet of Cục Thuế tỉnh Thái Bình here:"
        assert blank_link.startswith(f"{bot.web_url}/files/")
        assert upload_link.startswith(f"{bot.web_url}/upload/")

        status, blank = await download(blank_link)
        assert status == 200
        status, form = await page(upload_link)
        assert status == 200 and '<form method="post" enctype="multipart/form-data">' in form
        assert "The self-score sheet of Cục Thuế tỉnh Thái Bình for" in form

        filled, where = fill_in(blank, {"I.1": 30, "I.2": 9.5, "II.1": 8})
        status, answer = await post(upload_link, filled, "bang-diem.xlsx")
        bad = f"{where['I.1']}: 30 is above the maximum of I.1, which is 25."
        assert status == 200 and bad in answer and "Saved: I.2 = 9.5, II.1 = 8." in answer
        (reply,) = await zl.wait_for(lan, timeout=10)
        assert bad in reply.text and reply.text.startswith("Saved: I.2 = 9.5, II.1 = 8.")
        assert await stored(app) == {"I.2": Decimal("9.5"), "II.1": Decimal(8)}

        status, answer = await post(
            upload_link, b"%PDF-1.4 bao cao", "bao-cao.pdf", "application/pdf"
        )
        refused = "“bao-cao.pdf” was not read, it is not an XLSX workbook. Nothing was saved."
        assert status == 200 and refused in answer
        (reply,) = await zl.wait_for(lan, timeout=10)
        assert reply.text == refused

        token = upload_link.rsplit("/", 1)[1]
        changed = ("A" if token[0] != "A" else "B") + token[1:]
        status, answer = await post(upload_link.replace(token, changed), filled, "a.xlsx")
        assert (status, _sentences(answer)) == (403, ["This upload link is not valid."])
        links = FileLinks(link_key("", ZALO_TOKEN), bot.web_url)
        grant = links.check_upload(token)  # what the child signed: thue's contact, in this chat
        assert (grant.purpose, grant.platform, grant.user_id) == ("template", "zalo", LAN)
        old = FrozenClock(datetime.now(UTC) - timedelta(days=8))
        expired = FileLinks(link_key("", ZALO_TOKEN), bot.web_url, clock=old).upload_url(grant)
        status, answer = await page(expired)
        assert (status, _sentences(answer)) == (
            403,
            ["This upload link has expired; send /template in the chat for a new one."],
        )
        assert await stored(app) == {"I.2": Decimal("9.5"), "II.1": Decimal(8)}
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-4000:])


def _sentences(page: str) -> list[str]:
    """The paragraphs of a page."""
    return [part.split("</p>")[0] for part in page.split("<p>")[1:]]
