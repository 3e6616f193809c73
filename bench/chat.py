"""200 contacts fill a 20-criterion sheet at once, against `blocbot run` and an echo floor.

Everything runs on this machine: the Telegram Bot API emulator and the simulated people in
this process, the bot in a child process talking to the emulator over HTTP, like in
production. Latency is measured from a person's message reaching the emulator to the bot's
first reply reaching it.

The runs go on SQLite, then on PostgreSQL: BLOCBOT_BENCH_DATABASE_URL names the server (by
default the local one, postgresql+asyncpg://postgres@127.0.0.1:5432/bench, when it answers), in
a database of the bench's own that is dropped afterwards. On each store blocbot's runs and the
echo floor's go back to back, so the ratios compare figures measured under the same load.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import build
from bot.blocfile import parse_bloc
from bot.config import Settings
from bot.storage.migrate import upgrade
from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "200"))
POSTGRES_ENV = "BLOCBOT_BENCH_DATABASE_URL"
LOCAL_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench"
# Paced run: a person reads the prompt and types the next score; seconds between answers.
THINK = (
    float(os.environ.get("BENCH_THINK_MIN", "3")),
    float(os.environ.get("BENCH_THINK_MAX", "7")),
)
# The paced runs answer this many criteria (all 20 at that pace take two minutes a run).
PACED_ANSWERS = int(os.environ.get("BENCH_PACED_ANSWERS", "10"))
# Saturated runs of each bot, back to back, each by people of its own; the median one counts.
# One run of the echo floor is not enough: in one process its rate went 266, 276, 300 and 445
# updates/s, with stretches of seconds where it answered almost no one.
SATURATED_RUNS = int(os.environ.get("BENCH_SATURATED_RUNS", "3"))
BLOC_SIZE = 50  # agencies per bloc (the bloc file allows at most 50)
CRITERIA = 20
TIMEOUT = 60.0
TARGET_RATIO = 0.8  # of the echo floor's throughput
TARGET_P99 = 50.0  # ms, paced
PACED_FIRST = 5000 + SATURATED_RUNS * CONTACTS  # the paced run's first person


def bloc_file(number: int, agencies: int) -> str:
    """A bloc with ``agencies`` members and four groups of five criteria."""
    due = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(days=7)).strftime("%Y-%m-%d")
    lines = [
        f"bloc: {{code: bench-{number}, name: Khối thi đua số {number}}}",
        "agencies:",
        *(f"  - {{code: a{n}, name: Đơn vị {n}}}" for n in range(agencies)),
        "season:",
        "  year: 2025",
        "  head: a0",
        "  scoring: {step: 0.5, tie_break: [group:I, deductions, submitted_at]}",
        "  criteria:",
    ]
    for group in ("I", "II", "III", "IV"):
        lines += [f"    - code: {group}", f"      title: Nhóm {group}", "      items:"]
        lines += [
            f"        - {{code: {group}.{n}, title: Tiêu chí {group}.{n}, max: 10}}"
            for n in range(1, 6)
        ]
    lines += [
        "  deadlines:",
        f'    - {{code: self-score, title: Hạn nộp, due: "{due} 17:00", closes_scoring: true}}',
    ]
    return "\n".join(lines) + "\n"


async def seed(url: str, contacts: int) -> list[str]:
    """Import enough blocs for ``contacts`` agencies; return one invite code per agency."""
    await upgrade(url)
    app = build(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    codes: list[str] = []
    try:
        for number in range((contacts + BLOC_SIZE - 1) // BLOC_SIZE):
            size = min(BLOC_SIZE, contacts - number * BLOC_SIZE)
            report = await app.blocs.import_bloc(parse_bloc(bloc_file(number, size)))
            lines = await app.invites.invites(report.bloc_code)
            codes += [line.code for line in lines if line.agency_code]
        await app.refresh_statistics()  # as `blocbot bloc import` does
    finally:
        await app.close()
    return codes


@dataclass
class Run:
    """What one run measured."""

    name: str
    latencies: list[float] = field(default_factory=list)
    answered: list[float] = field(default_factory=list)  # when each reply came (perf_counter)
    updates: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    bot_cpu: float = 0.0  # seconds of CPU the bot used during the run
    stolen: float = 0.0  # share of the machine's CPU time the host took for others meanwhile
    harness_cpu: float = 0.0  # seconds of CPU this process (emulator, people) used
    database_cpu: float = 0.0  # seconds of CPU of the local PostgreSQL server's processes

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    @property
    def sustained(self) -> float:
        """Replies per second over the middle 80% of them: the pace while nearly everyone is
        still waiting, whatever the last few stragglers add to the run's length (a bot that
        leaves some people waiting for seconds finishes its run late)."""
        ordered = sorted(self.answered)
        if len(ordered) < 10:
            return self.rate
        first, last = ordered[len(ordered) // 10], ordered[len(ordered) * 9 // 10]
        return (len(ordered) * 8 // 10) / (last - first) if last > first else self.rate

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:8s} {self.updates:6d} updates in {self.seconds:6.2f} s = "
            f"{self.rate:7.1f} updates/s (sustained {self.sustained:5.1f}); "
            f"reply latency p50 {self.percentile(0.50):6.1f} ms, "
            f"p95 {self.percentile(0.95):6.1f} ms, p99 {self.percentile(0.99):6.1f} ms, "
            f"max {max(self.latencies) * 1000:6.1f} ms; peak RSS {self.peak_rss_mb:5.1f} MB; "
            f"bot CPU {self.busy:4.2f} cores; emulator CPU {self.harness:4.2f}; "
            f"database CPU {self.database_cpu / self.seconds:4.2f}; steal {self.stolen:.1%}"
        )

    @property
    def harness(self) -> float:
        """How many cores the emulator and the simulated people kept busy, on average."""
        return self.harness_cpu / self.seconds if self.seconds else 0.0

    @property
    def busy(self) -> float:
        """How many cores the bot kept busy, on average."""
        return self.bot_cpu / self.seconds if self.seconds else 0.0


async def converse(
    tg: TelegramEmulator, user: FakeUser, texts: list[str], run: Run, think: random.Random | None
) -> None:
    """Send each text and wait for the first reply before the next, like a person.

    Latency is the emulator's own clock: the person's message recorded, the bot's reply
    recorded. ``think`` pauses between answers (None: none, the saturation run).
    """
    for said in texts:
        if think is not None:
            await asyncio.sleep(think.uniform(*THINK))
        message = await user.send(said)
        (reply,) = await tg.wait_for(user, timeout=TIMEOUT)
        run.latencies.append(reply.at - message.at)
        run.answered.append(time.perf_counter())
        run.updates += 1


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User and system CPU time a process used so far; ``reaped`` adds that of its children
    that ended and it waited for."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    ticks = sum(int(n) for n in fields[11 : 15 if reaped else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_seconds() -> float:
    """User and system CPU time this machine's PostgreSQL processes used so far, those that
    ended included (the server's main process reaps its backends); 0 without a local server."""
    used = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/comm", encoding="ascii") as comm:
                if comm.read().strip() != "postgres":
                    continue
            used += cpu_seconds(int(entry.name), reaped=True)
        except (OSError, ValueError):  # gone meanwhile, or not ours to read
            continue
    return used


def steal_seconds() -> float:
    """CPU time the hypervisor gave other guests instead of this machine, all cores together
    (the 8th figure of /proc/stat's cpu line): on a shared host it slows every run."""
    with open("/proc/stat", encoding="ascii") as stat:
        return int(stat.readline().split()[8]) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def measure(
    name: str,
    tg: TelegramEmulator,
    scripts: list[list[str]],
    pid: int,
    *,
    first: int = 5000,
    paced: bool = False,
) -> Run:
    """People ``first``, ``first + 1``... each play one script, all at once."""
    run = Run(name)
    users = [tg.user(first + n, f"Người {n}") for n in range(len(scripts))]
    thinks = [random.Random(n) if paced else None for n in range(len(scripts))]
    cpu, stolen, started = cpu_seconds(pid), steal_seconds(), time.perf_counter()
    harness, database = time.process_time(), postgres_seconds()
    await asyncio.gather(
        *(converse(tg, u, s, run, t) for u, s, t in zip(users, scripts, thinks, strict=True))
    )
    run.seconds = time.perf_counter() - started
    run.bot_cpu = cpu_seconds(pid) - cpu
    run.harness_cpu = time.process_time() - harness
    run.database_cpu = postgres_seconds() - database
    run.stolen = (steal_seconds() - stolen) / (run.seconds * (os.cpu_count() or 1))
    run.peak_rss_mb = peak_rss_mb(pid)
    return run


def median(runs: list[Run]) -> Run:
    """The run of the median rate (the upper one of an even number)."""
    return sorted(runs, key=lambda run: run.rate)[len(runs) // 2]


async def saturated(name: str, tg: TelegramEmulator, pid: int, first: int = 5000) -> Run:
    """SATURATED_RUNS runs of CONTACTS people filling a sheet at once, people ``first``
    onwards (CONTACTS more each run), each printed; the median one."""
    runs = []
    for n in range(SATURATED_RUNS):
        scripts = [sheet_script() for _ in range(CONTACTS)]
        run = await measure(f"{name} {n + 1}", tg, scripts, pid, first=first + n * CONTACTS)
        print(run.line())
        runs.append(run)
    return median(runs)


def sheet_script() -> list[str]:
    answers = [f"{8 + (n % 5) * 0.5}".replace(".0", "") for n in range(CRITERIA)]
    return ["/score", *answers]


def paced_scripts() -> list[list[str]]:
    """/score and the first PACED_ANSWERS answers, for each contact."""
    return [sheet_script()[: PACED_ANSWERS + 1] for _ in range(CONTACTS)]


async def bench_blocbot(url: str, folder: Path) -> tuple[Run, Run]:
    """Enrol a set of contacts for each run, then the saturated runs and the paced one."""
    codes = await seed(url, (SATURATED_RUNS + 1) * CONTACTS)
    async with TelegramEmulator() as tg:
        bot = BotProcess.against(tg, url, folder).start()
        try:
            await bot.wait_running()
            enrol = await measure("enrol", tg, [[f"/start {c}"] for c in codes], bot.pid)
            print(enrol.line())
            full = await saturated("blocbot", tg, bot.pid)
            calm = await measure(
                "blocbot~", tg, paced_scripts(), bot.pid, first=PACED_FIRST, paced=True
            )
            print(calm.line())
            return full, calm
        except Exception:
            print(bot.log[-3000:])
            raise
        finally:
            await bot.stop()


async def bench_echo() -> tuple[Run, Run]:
    async with TelegramEmulator() as tg:
        script = Path(__file__).with_name("echo_bot.py")
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            tg.api_url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            assert child.stdout is not None
            await child.stdout.readline()
            # As many messages as blocbot's enrolment, by the same people, before the runs.
            people = [["/start"] for _ in range((SATURATED_RUNS + 1) * CONTACTS)]
            print((await measure("warm-up", tg, people, child.pid)).line())
            full = await saturated("echo", tg, child.pid)
            calm = await measure(
                "echo~", tg, paced_scripts(), child.pid, first=PACED_FIRST, paced=True
            )
            print(calm.line())
            return full, calm
        finally:
            child.terminate()
            await child.wait()


@dataclass
class Pair:
    """blocbot's runs and the echo floor's, back to back on one store."""

    store: str
    blocbot: Run
    blocbot_paced: Run
    echo: Run
    echo_paced: Run

    @property
    def ratio(self) -> float:
        return self.blocbot.rate / self.echo.rate

    def line(self) -> str:
        paced, floor = self.blocbot_paced.percentile(0.99), self.echo_paced.percentile(0.99)
        return (
            f"{self.store}: blocbot / echo floor: throughput {self.ratio:.2f}x "
            f"({self.blocbot.rate:.1f} vs {self.echo.rate:.1f} updates/s, target "
            f"{TARGET_RATIO:g}x{'' if self.ratio >= TARGET_RATIO else ': not reached'}; "
            f"sustained {self.blocbot.sustained / self.echo.sustained:.2f}x); "
            f"paced p99 {paced:.1f} ms vs {floor:.1f} ms (target {TARGET_P99:g} ms"
            f"{'' if paced <= TARGET_P99 else ': not reached'})"
        )

    def row(self) -> str:
        """The line of the README's table."""
        return (
            f"| {self.store} | {self.blocbot.rate:.1f} | {self.echo.rate:.1f} | "
            f"**{self.ratio:.2f}×** | {self.blocbot.busy:.2f} | "
            f"{self.blocbot_paced.percentile(0.99):.1f} ms | "
            f"{self.echo_paced.percentile(0.99):.1f} ms |"
        )


async def pair(store: str, url: str) -> Pair:
    """blocbot on the database of ``url``, then the echo floor."""
    print(f"-- {store} --")
    with tempfile.TemporaryDirectory() as folder:
        blocbot, blocbot_paced = await bench_blocbot(url, Path(folder))
    echo, echo_paced = await bench_echo()
    found = Pair(store, blocbot, blocbot_paced, echo, echo_paced)
    print(found.line())
    return found


async def postgres_server() -> str | None:
    """The PostgreSQL server to bench on: BLOCBOT_BENCH_DATABASE_URL, else the local one when
    it answers; None when there is none."""
    configured = os.environ.get(POSTGRES_ENV)
    if configured:
        return configured
    engine = create_async_engine(make_url(LOCAL_POSTGRES).set(database="postgres"))
    try:
        async with asyncio.timeout(3), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return None
    finally:
        await engine.dispose()
    return LOCAL_POSTGRES


@asynccontextmanager
async def postgres_database(server_url: str, copy_of: str | None = None) -> AsyncIterator[str]:
    """A fresh database on the server of ``server_url`` (a copy of the database of URL
    ``copy_of``, which nobody may be connected to), dropped afterwards; its URL.

    It is named after the URL's database (which need not exist), created and dropped from the
    server's ``postgres`` database.
    """
    server = make_url(server_url)
    name = f"{server.database or 'bench'}_{int(time.time())}_{secrets.token_hex(3)}"
    engine = create_async_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    template = f' TEMPLATE "{make_url(copy_of).database}"' if copy_of else ""
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()


async def run() -> tuple[Run, Run]:
    """The Telegram runs on each store; returns blocbot's saturated and paced runs on SQLite,
    for the Zalo ratios."""
    print(
        f"== chat: {CONTACTS} contacts fill a {CRITERIA}-criterion sheet at once, over HTTP "
        f"through the Telegram emulator ==\n"
        f"   saturated: nobody pauses (throughput); paced (~): {THINK[0]:g}-{THINK[1]:g} s "
        f"between answers, /score and {PACED_ANSWERS} answers each (latency at a human pace)"
    )
    with tempfile.TemporaryDirectory() as folder:
        pairs = [await pair("SQLite", f"sqlite+aiosqlite:///{folder}/bench.db")]
    server = await postgres_server()
    if server is None:
        print(
            f"   (PostgreSQL: none answers; set {POSTGRES_ENV}=postgresql+asyncpg://USER@HOST/DB)"
        )
    else:
        async with postgres_database(server) as url:
            pairs.append(await pair("PostgreSQL", url))
    print(
        "| store | blocbot updates/s | echo floor updates/s | blocbot / floor | bot CPU (cores) "
        "| blocbot p99, paced | floor p99, paced |\n| --- | ---: | ---: | ---: | ---: | ---: "
        "| ---: |"
    )
    for found in pairs:
        print(found.row())
    return pairs[0].blocbot, pairs[0].blocbot_paced


if __name__ == "__main__":
    asyncio.run(run())
