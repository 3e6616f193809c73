"""The README's pictures from the sample bloc: ``make pictures`` (python -m bot.testing.pictures).

The sample bloc's year 2021 is played in a temporary SQLite database on a fixed clock, the way a
bloc gets there: the contacts link with their invite codes, the agencies self-score and submit
(one late, after the head reopens its sheet; one never), the head marks one agency ineligible,
publishes, then announces the results, the bloc elects next year's head, the agencies answer the
year-end meeting. Then, as the bot sends them, the progress picture (as a member saw it in the
middle of November), the ranking chart, and the first page of the bảng tổng hợp điểm (XLSX), the
biên bản and the tờ trình (DOCX) as LibreOffice prints them (``soffice`` to PDF, ``pdftoppm`` to
PNG). The charts need only the virtual environment; the pages need LibreOffice and poppler.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App, build
from bot.blocfile import load_bloc_file
from bot.clock import FrozenClock
from bot.config import Settings
from bot.domain.ballots import BallotKind
from bot.domain.events import EventKind
from bot.handlers.announce import provisional_in, results_in
from bot.handlers.model import ChatKind, Incoming, Replies, Sender
from bot.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "tw-thaibinh.yaml"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PLATFORM = "telegram"
GROUP = "-1001"
TITLE = "Khối thi đua TW Thái Bình"
# Each paper's picture: the command that brings it, and its file's suffix.
PAGES = {
    "export.png": ("/export", ".xlsx"),
    "minutes.png": ("/minutes", ".docx"),
    "proposal.png": ("/proposal", ".docx"),
}
RESOLUTION = 80  # dots per inch of a page's picture: an A4 page is 662 x 936 pixels
TOOLS = ("soffice", "pdftoppm")
INSTALL = (
    "sudo apt-get install --no-install-recommends libreoffice-writer-nogui "
    "libreoffice-calc-nogui poppler-utils fonts-liberation"
)
CONVERT_SECONDS = 180
# LibreOffice set to Vietnamese (numbers "24,5"), as on an official's computer, whatever the
# locale of the machine that draws the pictures.
VIETNAMESE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
<value>vi-VN</value></prop></item>
</oor:items>
"""

# What each agency gave itself below the maximum (every other criterion: its maximum).
SHEETS: dict[str, dict[str, str]] = {
    "khobac": {"I.1": "24", "I.2": "9.5", "II.2": "6.5", "V.2": "4.5", "B.2": "3"},
    "haiquan": {"I.1": "23", "I.2": "9", "VI.2": "4", "B.2": "2"},
    "thue": {"I.1": "23.5", "II.1": "7", "III.1": "9.5", "V.1": "4.5", "D.1": "1"},
    "nhnn": {"I.1": "24", "I.2": "9", "II.2": "6", "V.2": "4", "VI.1": "4", "VII.1": "4.5"},
    "bhxh": {"I.1": "22.5", "I.2": "9", "III.1": "9.5", "D.1": "1.5"},  # nhnn's total
    "dutru": {"I.1": "21", "I.2": "8", "II.2": "6", "IV.2": "4", "VI.2": "4"},
    "thongke": {"I.1": "22", "I.2": "8.5", "II.1": "7", "V.1": "4"},
}
ZERO = ("B.1", "B.2", "D.1", "D.2")  # bonus and deductions: none unless given
ATTENDEES = {
    "nhnn": "Ông Phạm Quang Huy, Giám đốc; Bà Đỗ Thị Hạnh, Chánh Văn phòng",
    "thongke": "Ông Nguyễn Văn Thành, Cục trưởng",
    "khobac": "Bà Trần Thị Lan, Giám đốc",
    "thue": "Ông Lê Minh Tuấn, Phó Cục trưởng",
    "dutru": "Ông Vũ Đức Long, Cục trưởng",
    "bhxh": "Bà Hoàng Thị Mai, Phó Giám đốc",
    "haiquan": "Ông Bùi Văn Nam, Chi cục trưởng",
}


class Unexpected(Exception):
    """The bot did not answer as the year expects (its words say what it did)."""


def local(text: str) -> datetime:
    """A time in the bloc's zone, written as people do: ``2021-11-16 10:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=HANOI)


@dataclass
class Year:
    """The sample bloc's year as its people played it, and how to speak as one of them."""

    app: App
    clock: FrozenClock
    bloc_id: int
    agencies: dict[str, int]
    contacts: dict[str, int]  # agency code -> its contact's id
    said: int = 0

    async def say(self, code: str, text: str, group: bool = False) -> Replies:
        """What the contact of agency ``code`` sends (in the bloc's group if ``group``), and
        what the bot answers."""
        self.said += 1
        sender = Sender(f"contact-{code}", f"Cán bộ đầu mối {code}", "vi")
        chat, kind = (GROUP, ChatKind.GROUP) if group else (sender.user_id, ChatKind.PRIVATE)
        update = Incoming(
            PLATFORM, f"picture-{self.said}", chat, kind, sender, text=text, chat_title=TITLE
        )
        return await self.app.router.handle(update)

    async def file(self, code: str, text: str) -> bytes:
        """The file the bot sends agency ``code``'s contact for the command ``text``."""
        replies = await self.say(code, text)
        for message in replies.messages:
            for attachment in message.attachments:
                if attachment.data is not None:
                    return attachment.data
        said = " / ".join(message.text for message in replies.messages)
        raise Unexpected(f"{text} brought {code} no file, but: {said}")

    async def fill(self, code: str, submit: bool = True, only: tuple[str, ...] = ()) -> None:
        """Agency ``code`` answers its sheet (only the criteria ``only``, if given)."""
        sheet = await self.app.services.scoring.sheet(self.bloc_id, self.agencies[code])
        given = SHEETS.get(code, {})
        answers = []
        for criterion in sheet.table.criteria():
            if only and criterion.code not in only:
                continue
            top = "0" if criterion.code in ZERO else str(criterion.max)
            answers.append((criterion.code, Decimal(given.get(criterion.code, top))))
        scoring, agency, contact = (
            self.app.services.scoring,
            self.agencies[code],
            self.contacts[code],
        )
        await scoring.answer(self.bloc_id, agency, contact, answers)
        if submit:
            await scoring.submit(self.bloc_id, agency, contact)

    @property
    def head(self) -> int:
        """The contact of the head's agency (nhnn in the sample bloc)."""
        return self.contacts["nhnn"]

    def at(self, text: str) -> None:
        """Move the clock to this local time."""
        self.clock.set(local(text))


async def sample_year(database: Path) -> tuple[Year, bytes]:
    """Play the sample bloc's year 2021 in a fresh SQLite file, up to the day after the
    year-end meeting; the year, and the progress picture a member got on 16 November."""
    url = f"sqlite+aiosqlite:///{database}"
    await upgrade(url)
    clock = FrozenClock(local("2021-11-08 08:00"))
    settings = Settings(  # type: ignore[call-arg]
        database_url=url, files=str(database.parent / "files"), locale="vi", _env_file=None
    )
    app = build(settings, clock)
    try:
        year = await _linked(app, clock)
        progress = await _scored(year)
        await _decided(year)
    except BaseException:
        await app.close()
        raise
    return year, progress


async def _linked(app: App, clock: FrozenClock) -> Year:
    """The bloc imported; each agency's contact linked with its invite code, the group too."""
    report = await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    invites = await app.invites.invites(report.bloc_code)
    codes = {line.agency_code or "group": line.code for line in invites}
    async with app.uow() as uow:
        bloc = await uow.blocs.get(report.bloc_code)
        assert bloc is not None
        year = Year(app, clock, bloc.id, {agency.code: agency.id for agency in bloc.agencies}, {})
    for code in year.agencies:
        await year.say(code, f"/start {codes[code]}")
        person = await app.services.people.person(PLATFORM, f"contact-{code}")
        if person is None or person.link is None:
            raise Unexpected(f"the contact of {code} did not link")
        year.contacts[code] = person.contact_id
    await year.say("nhnn", f"/linkgroup {codes['group']}", group=True)
    return year


async def _scored(year: Year) -> bytes:
    """The self-scores: four sheets in by mid-November, two drafting, the rest before the
    deadline (20/11 17:00) but one, reopened for it after the deadline, and one never sent."""
    for day, code in (("10", "khobac"), ("11", "thue"), ("12", "haiquan"), ("15", "bhxh")):
        year.at(f"2021-11-{day} 15:30")
        await year.fill(code)
    year.at("2021-11-15 16:00")
    await year.fill("nhnn", submit=False, only=("I.1", "I.2", "I.3", "II.1", "II.2", "III.1"))
    await year.fill("dutru", submit=False, only=("I.1", "I.2", "I.3"))
    year.at("2021-11-16 10:00")
    progress = await year.file("thue", "/chart")  # a member: the progress, not the ranking
    year.at("2021-11-18 09:00")
    await year.fill("nhnn")
    await year.fill("dutru")
    year.at("2021-11-19 11:00")
    await year.fill("qltt", submit=False, only=("I.1", "I.2"))
    year.at("2021-11-22 08:30")
    await year.app.services.sheet_admin.unlock(year.bloc_id, "thongke", None, year.head)
    year.at("2021-11-22 15:00")
    await year.fill("thongke")
    return progress


async def _decided(year: Year) -> None:
    """One agency ineligible, the results published then announced, next year's head elected
    by secret ballot, the year-end meeting answered; the clock after that meeting."""
    services, bloc_id, head = year.app.services, year.bloc_id, year.head
    year.at("2021-11-24 09:00")
    reason = "Có công chức bị xử lý kỷ luật trong năm 2021"
    await services.sheet_admin.set_eligibility(bloc_id, "haiquan", False, reason, head)
    year.at("2021-11-25 09:00")
    await services.results.publish(bloc_id, head, provisional_in)
    year.at("2021-11-29 09:00")  # the time to object is over
    await services.results.announce(bloc_id, head, results_in)
    year.at("2021-12-01 08:00")
    ballots = services.ballots
    ballot = await ballots.open(bloc_id, head, BallotKind.HEAD, local("2021-12-03 17:00"))
    votes = ["khobac"] * 5 + ["thue"] * 2  # qltt does not vote
    for code, choice in zip(year.agencies, votes, strict=False):
        await ballots.cast(bloc_id, ballot.id, year.agencies[code], (choice,))
    year.at("2021-12-02 17:00")
    await ballots.close(bloc_id, ballot.id, head)
    [*_, meeting] = await services.tracking.open_events(bloc_id, EventKind.MEETING)
    year.at("2021-12-15 10:00")
    for code in year.agencies:
        names = ATTENDEES.get(code)
        comes = names is not None
        await services.tracking.answer(
            bloc_id, meeting.id, code, year.contacts[code], comes, names
        )
    year.at("2021-12-20 16:30")


async def files(database: Path, papers: bool) -> dict[str, bytes]:
    """What the bot sent in the sample year: the pictures and (when ``papers``) the papers, by
    the name of their picture."""
    year, progress = await sample_year(database)
    try:
        sent = {"chart.png": await year.file("nhnn", "/chart"), "progress.png": progress}
        if papers:
            for name, (command, _suffix) in PAGES.items():
                sent[name] = await year.file("nhnn", command)
    finally:
        await year.app.close()
    return sent


def produce(folder: Path, pages: bool) -> list[Path]:
    """Write the pictures into ``folder`` (the papers' pages too when ``pages``); the files."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="blocbot-pictures-") as scratch:
        work = Path(scratch)
        sent = asyncio.run(files(work / "year.db", pages))
        written = [_write(folder / name, sent[name]) for name in ("chart.png", "progress.png")]
        if pages:
            papers = {
                name: _write(work / Path(name).with_suffix(suffix).name, sent[name])
                for name, (_command, suffix) in PAGES.items()
            }
            at_full_size(papers["export.png"])
            written += first_pages(papers, folder, work)
    return written


def at_full_size(path: Path) -> None:
    """The workbook with its summary sheet printed at 100 %: the file fits every column to one
    page's width, which with this many columns is too small to read in a picture."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    summary = book.worksheets[0]
    summary.sheet_properties.pageSetUpPr.fitToPage = False
    summary.page_setup.scale = 100
    book.save(path)


def first_pages(papers: Mapping[str, Path], folder: Path, work: Path) -> list[Path]:
    """Each paper's first page as LibreOffice prints it: a PNG in ``folder``, by its name."""
    profile = work / "libreoffice"  # a profile of its own: no clash with an office running
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(VIETNAMESE, encoding="utf-8")
    office = [
        "soffice",
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work),
    ]
    _run([*office, *map(str, papers.values())])
    written = []
    for name, paper in papers.items():
        pdf = paper.with_suffix(".pdf")
        if not pdf.exists():
            raise Unexpected(f"LibreOffice wrote no PDF of {paper.name}")
        target = folder / name
        page = ["pdftoppm", "-png", "-r", str(RESOLUTION), "-f", "1", "-l", "1", "-singlefile"]
        _run([*page, str(pdf), str(target.with_suffix(""))])
        written.append(target)
    return written


def _run(command: list[str]) -> None:
    """Run a tool; Unexpected with the end of what it said when it fails."""
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=CONVERT_SECONDS)
    except subprocess.CalledProcessError as failed:
        said = (failed.stderr or failed.stdout or b"").decode(errors="replace").strip()
        raise Unexpected(
            f"{command[0]} failed (exit {failed.returncode}): {said[-300:]}"
        ) from None
    except subprocess.TimeoutExpired:
        raise Unexpected(f"{command[0]} did not finish in {CONVERT_SECONDS} s") from None


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def main(argv: list[str] | None = None) -> int:
    """Write the pictures into the folder given (``docs`` by default): 0, or 1 with one line."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else ROOT / "docs"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    try:
        written = produce(folder, pages=not missing)
    except Unexpected as problem:
        print(f"The pictures were not all drawn: {problem}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    if missing:
        print(
            f"The papers' pages were not drawn, since {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not installed: install LibreOffice and "
            f"poppler ({INSTALL}) and run make pictures again.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
