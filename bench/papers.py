"""Papers and pictures for a 50-agency bloc: how long each file takes, and whether other people's
replies keep their pace while the head asks for them.

(1) In this process, on SQLite: a bloc of 50 agencies and 24 criteria, 49 sheets submitted and
one still drafting. Each file is asked for as in a chat, through the router (reading the
season, drawing in a worker thread, the update's commit): /export (XLSX), /minutes and
/proposal (DOCX), /chart as the head (the ranking) and as a member (the progress), /template
(XLSX) as the agency still drafting. The first call, which loads the library, apart; then the
median and max of ROUNDS more.

(2) ``blocbot run`` in its own process against the Telegram emulator, as in bench/chat.py:
CONTACTS people of other blocs fill in a sheet at a human pace (/score and ANSWERS answers,
3-7 s apart), (a) alone, then while the head of the 50-agency bloc (b) asks for /export,
/chart and /minutes one after another without a pause, (c) asks for them as a person would,
3-7 s apart, (d) asks for /standings without a pause: the same reading of the season, no file.
Their reply p99 each time, and its ratio to (a); (d) tells the cost of reading a 50-agency
season from that of making its files.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.chat import (
    POSTGRES_ENV,
    THINK,
    TIMEOUT,
    Run,
    cpu_seconds,
    measure,
    postgres_database,
    seed,
    sheet_script,
)
from bot.app import App, build
from bot.blocfile import parse_bloc
from bot.config import Settings
from bot.handlers.model import ChatKind, Incoming, Sender
from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator

AGENCIES = 50  # the most a bloc file allows
ROUNDS = int(os.environ.get("BENCH_PAPERS_ROUNDS", "5"))
CONTACTS = int(os.environ.get("BENCH_PAPERS_CONTACTS", "100"))  # people of other blocs, paced
ANSWERS = int(os.environ.get("BENCH_PAPERS_ANSWERS", "8"))  # answers after /score, paced
CODE = "papers"
HEAD = "a0"
DRAFTING = f"a{AGENCIES - 1}"
HEAD_USER = 4000  # the head's Telegram id in the emulator
HEAD_ASKS = ("/export", "/chart", "/minutes")
# A file asked for in (1): its label, who asks, the command.
FILES = (
    ("/export: bảng tổng hợp điểm (XLSX)", HEAD, "/export"),
    ("/minutes: biên bản (DOCX)", HEAD, "/minutes"),
    ("/proposal: tờ trình (DOCX)", HEAD, "/proposal"),
    ("/chart: the ranking (PNG)", HEAD, "/chart"),
    ("/chart: the progress (PNG)", "a2", "/chart"),
    ("/template: a sheet (XLSX)", DRAFTING, "/template"),
)


def bloc_file() -> str:
    """50 agencies with names as long as real ones; four groups of five criteria, two bonus
    and two deduction criteria; two awards; the deadline a week away, the meeting after it."""
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    due = datetime.now(zone) + timedelta(days=7)
    meeting = due + timedelta(days=30)
    lines = [
        f'bloc: {{code: {CODE}, name: "Khối thi đua các sở, ban, ngành tỉnh"}}',
        "agencies:",
        *(
            f'  - {{code: a{n}, name: "Sở Tài nguyên và Môi trường tỉnh, đơn vị số {n}"}}'
            for n in range(AGENCIES)
        ),
        "season:",
        f"  year: {due.year}",
        f"  head: {HEAD}",
        "  deputies: [a1]",
        "  scoring:",
        "    step: 0.5",
        "    tie_break: [group:I, deductions, submitted_at]",
        "    awards:",
        "      - {title: Cờ thi đua của UBND tỉnh, count: 1}",
        "      - {title: Bằng khen của Chủ tịch UBND tỉnh, count: 5}",
        "  criteria:",
    ]
    for group in ("I", "II", "III", "IV"):
        lines += [f"    - code: {group}", f"      title: Nhóm tiêu chí {group}", "      items:"]
        lines += [
            f"        - {{code: {group}.{n}, title: Tiêu chí {group}.{n}, max: 10}}"
            for n in range(1, 6)
        ]
    lines += [
        "    - {code: B, title: Điểm thưởng, kind: bonus, cap: 5, items: [",
        "        {code: B.1, title: Sáng kiến, max: 3}, {code: B.2, title: Khen thưởng, max: 3}]}",
        "    - {code: D, title: Điểm trừ, kind: deduction, items: [",
        "        {code: D.1, title: Báo cáo chậm, max: 2}, {code: D.2, title: Kỷ luật, max: 5}]}",
        "  deadlines:",
        f'    - {{code: self-score, title: Hạn nộp, due: "{due:%Y-%m-%d} 17:00", '
        "closes_scoring: true}",
        "  meetings:",
        f'    - {{code: tong-ket, title: Hội nghị tổng kết, at: "{meeting:%Y-%m-%d} 14:00", '
        "place: Hội trường Ủy ban nhân dân tỉnh}",
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Bloc:
    """The 50-agency bloc, and how to speak as one of its contacts in this process."""

    app: App
    bloc_id: int
    agencies: dict[str, int]
    contacts: dict[str, int] = field(default_factory=dict)
    said: int = 0

    async def say(self, agency: str, text: str) -> list[bytes]:
        """What agency's contact sends; the files the bot answers with."""
        self.said += 1
        sender = Sender(f"papers-{agency}", agency, "vi")
        update = Incoming(
            "telegram", f"papers-{self.said}", sender.user_id, ChatKind.PRIVATE, sender, text=text
        )
        replies = await self.app.router.handle(update)
        return [a.data for m in replies.messages for a in m.attachments if a.data is not None]


async def filled_bloc(app: App) -> tuple[Bloc, str]:
    """The bloc imported, a contact per agency, every sheet but one submitted; the head's
    invite code (for the head in the emulator)."""
    report = await app.blocs.import_bloc(parse_bloc(bloc_file()))
    codes = {line.agency_code: line.code for line in await app.invites.invites(report.bloc_code)}
    async with app.uow() as uow:
        row = await uow.blocs.get(report.bloc_code)
        assert row is not None
        bloc = Bloc(app, row.id, {agency.code: agency.id for agency in row.agencies})
    rng = random.Random(50)
    for code, agency_id in bloc.agencies.items():
        await bloc.say(code, f"/start {codes[code]}")
        person = await app.services.people.person("telegram", f"papers-{code}")
        assert person is not None and person.link is not None, code
        bloc.contacts[code] = contact = person.contact_id
        sheet = await app.services.scoring.sheet(bloc.bloc_id, agency_id)
        answers = []
        for criterion in sheet.table.criteria():
            top = int(criterion.max * 2)
            low = 0 if criterion.code[0] in "BD" else top // 2
            answers.append((criterion.code, Decimal(rng.randint(low, top)) / 2))
        await app.services.scoring.answer(bloc.bloc_id, agency_id, contact, answers)
        if code != DRAFTING:
            await app.services.scoring.submit(bloc.bloc_id, agency_id, contact)
    return bloc, codes[HEAD] or ""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


async def time_files(bloc: Bloc) -> None:
    """Each file: the first call, then the median and max of ROUNDS more, the CPU time of a
    call (this process's, the worker thread's included: what a busy machine does not inflate
    as much); its size."""
    heads = ("first", "median", "max", "CPU")
    print(f"{'file':36s} " + " ".join(f"{head:>11s}" for head in heads) + f" {'size':>7s}")
    for label, agency, command in FILES:
        times, cpu, size = [], [], 0
        for _round in range(ROUNDS + 1):
            started, used = time.perf_counter(), time.process_time()
            files = await bloc.say(agency, command)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            assert len(files) == 1, f"{command} from {agency} brought {len(files)} files"
            size = len(files[0])
        first, rest = times[0], times[1:]
        figures = (first, statistics.median(rest), max(rest), statistics.median(cpu[1:]))
        print(f"{label:36s} " + " ".join(map(_ms, figures)) + f" {size / 1024:4.0f} KB")


@dataclass
class HeadAsks:
    """The head asking for ``commands`` in turn until told to stop, without a pause or
    ``paced`` as a person would; how long each took."""

    tg: TelegramEmulator
    head: FakeUser
    commands: tuple[str, ...] = HEAD_ASKS
    paced: bool = False
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    waits: dict[str, list[float]] = field(default_factory=dict)

    replies: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HEAD_ASKS, 2))

    async def ask(self, command: str) -> None:
        """One command; its wait, to its last message (a file's is the second)."""
        message = await self.head.send(command)
        count = self.replies[command]
        *_text, sent = await self.tg.wait_for(self.head, count=count, timeout=TIMEOUT)
        assert command not in HEAD_ASKS or sent.file is not None, f"{command}: {sent.text}"
        self.waits.setdefault(command, []).append(sent.at - message.at)

    async def count_replies(self, command: str) -> None:
        """How many messages ``command`` brings (a long ranking comes in parts), so that the
        head waits for all of them before asking again: the first, then any more within
        a second of the last."""
        await self.head.send(command)
        count = len(await self.tg.wait_for(self.head, timeout=TIMEOUT))
        with contextlib.suppress(TimeoutError):
            while True:
                count += len(await self.tg.wait_for(self.head, timeout=1.0))
        self.replies[command] = count

    async def run(self) -> None:
        rng = random.Random(HEAD_USER)
        while not self.stop.is_set():
            for command in self.commands:
                await self.ask(command)
                if self.paced:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stop.wait(), rng.uniform(*THINK))

    def line(self, seconds: float) -> str:
        count = sum(len(waits) for waits in self.waits.values())
        what = "files" if set(self.commands) <= set(HEAD_ASKS) else "answers"
        each = ", ".join(
            f"{command} median {statistics.median(waits) * 1000:.0f} ms"
            for command, waits in self.waits.items()
            if waits
        )
        return f"{'':8s} the head got {count} {what} in {seconds:.0f} s: {each}"


async def under_load(url: str, folder: Path, codes: list[str], head_code: str, label: str) -> None:
    """The paced runs alone and while the head asks for files; their p99 and its ratio."""
    script = sheet_script()[: ANSWERS + 1]
    async with TelegramEmulator() as tg:
        bot = BotProcess.against(tg, url, folder).start()
        try:
            await bot.wait_running()
            await measure("enrol", tg, [[f"/start {c}"] for c in codes], bot.pid)
            head = tg.user(HEAD_USER, "Trưởng khối")
            await head.send(f"/start {head_code}")
            await tg.wait_for(head, timeout=TIMEOUT)
            warm = HeadAsks(tg, head)
            for command in HEAD_ASKS:  # the bot loads its libraries before anyone is timed
                await warm.ask(command)
            await warm.count_replies("/standings")
            scripts = [script for _ in range(CONTACTS)]

            cpu = cpu_seconds(bot.pid)
            alone = await measure("alone~", tg, scripts, bot.pid, paced=True)
            print(alone.line() + _cores(bot.pid, cpu, alone))
            first = 5000 + CONTACTS
            for name, asks, meaning in (
                ("papers~", HeadAsks(tg, head), "asks for files without a pause"),
                ("paced~", HeadAsks(tg, head, paced=True), "asks for files as a person would"),
                (
                    "reads~",
                    HeadAsks(tg, head, ("/standings",), replies=warm.replies),
                    "reads /standings, no pause",
                ),
            ):
                cpu = cpu_seconds(bot.pid)
                asking = asyncio.create_task(asks.run())
                busy = await measure(name, tg, scripts, bot.pid, first=first, paced=True)
                first += CONTACTS
                asks.stop.set()
                await asking
                print(busy.line() + _cores(bot.pid, cpu, busy))
                print(asks.line(busy.seconds))
                ratio = busy.percentile(0.99) / alone.percentile(0.99)
                print(
                    f"   {label}: others' paced p99 while the head {meaning} / alone: "
                    f"{ratio:.2f}x ({busy.percentile(0.99):.1f} ms vs "
                    f"{alone.percentile(0.99):.1f} ms)"
                )
        finally:
            await bot.stop()
            if bot.returncode not in (0, None):
                print(bot.log[-3000:])


def _cores(pid: int, before: float, run: Run) -> str:
    return f"; bot {(cpu_seconds(pid) - before) / run.seconds:.2f} cores"


async def prepared(url: str, folder: Path, timed: bool) -> tuple[list[str], str]:
    """The other blocs and the 50-agency bloc in the database of ``url`` (and, when ``timed``,
    the files timed); the other blocs' invite codes and the head's."""
    codes = await seed(url, 4 * CONTACTS)  # alone, then three runs beside the head
    settings = Settings(database_url=url, files=f"{folder}/files", _env_file=None)  # type: ignore[call-arg]
    app = build(settings)
    try:
        bloc, head_code = await filled_bloc(app)
        if timed:
            await time_files(bloc)
    finally:
        await app.close()
    return codes, head_code


async def run() -> None:
    """The files' times, then the replies under load, on SQLite; the replies under load on
    PostgreSQL too when BLOCBOT_BENCH_DATABASE_URL is set."""
    print(
        f"== papers: a bloc of {AGENCIES} agencies and 24 criteria, {AGENCIES - 1} sheets "
        f"submitted; each file asked for in chat, in this process, on SQLite ==\n"
        f"   first call (loads the library) apart; median and max of {ROUNDS} more"
    )
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        codes, head_code = await prepared(url, Path(folder), timed=True)
        print(
            f"== papers under load: {CONTACTS} contacts of other blocs send /score and {ANSWERS} "
            f"answers, {THINK[0]:g}-{THINK[1]:g} s apart,\n   against `blocbot run` over HTTP "
            f"(Telegram emulator): alone, then while the head of the {AGENCIES}-agency bloc\n"
            f"   asks for {', '.join(HEAD_ASKS)} one after another without a pause =="
        )
        await under_load(url, Path(folder), codes, head_code, "SQLite")
    server = os.environ.get(POSTGRES_ENV)
    if server:
        print("   on PostgreSQL:")
        with tempfile.TemporaryDirectory() as folder:
            async with postgres_database(server) as url:
                codes, head_code = await prepared(url, Path(folder), timed=False)
                await under_load(url, Path(folder), codes, head_code, "PostgreSQL")
    else:
        print(f"   (PostgreSQL: set {POSTGRES_ENV}=postgresql+asyncpg://USER@HOST:5432/DB)")


if __name__ == "__main__":
    asyncio.run(run())
