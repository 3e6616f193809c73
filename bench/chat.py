"""200 contacts fill a 20-criterion sheet at once, against `blocbot run` and an echo floor.

Everything runs on this machine: the Telegram Bot API emulator and the simulated people in
this process, the bot in a child process talking to the emulator over HTTP, like in
production. Latency is measured from a person's message reaching the emulator to the bot's
first reply reaching it.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build
from bot.blocfile import parse_bloc
from bot.config import Settings
from bot.storage.migrate import upgrade
from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "200"))
# Paced run: a person reads the prompt and types the next score; seconds between answers.
THINK = (
    float(os.environ.get("BENCH_THINK_MIN", "3")),
    float(os.environ.get("BENCH_THINK_MAX", "7")),
)
BLOC_SIZE = 50  # agencies per bloc (the bloc file allows at most 50)
CRITERIA = 20
TIMEOUT = 60.0


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
    finally:
        await app.close()
    return codes


@dataclass
class Run:
    """What one run measured."""

    name: str
    latencies: list[float] = field(default_factory=list)
    updates: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:8s} {self.updates:6d} updates in {self.seconds:6.2f} s = "
            f"{self.rate:7.1f} updates/s; reply latency p50 {self.percentile(0.50):6.1f} ms, "
            f"p95 {self.percentile(0.95):6.1f} ms, p99 {self.percentile(0.99):6.1f} ms, "
            f"max {max(self.latencies) * 1000:6.1f} ms; peak RSS {self.peak_rss_mb:5.1f} MB"
        )


async def converse(
    tg: TelegramEmulator, user: FakeUser, texts: list[str], run: Run, think: random.Random | None
) -> None:
    """Send each text and wait for the first reply before the next, like a person.

    Latency is the emulator's own clock: the person's message recorded, the bot's reply
    recorded. ``think`` pauses between answers (None: none, the saturation run).
    """
    for text in texts:
        if think is not None:
            await asyncio.sleep(think.uniform(*THINK))
        message = await user.send(text)
        (reply,) = await tg.wait_for(user, timeout=TIMEOUT)
        run.latencies.append(reply.at - message.at)
        run.updates += 1


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
    started = time.perf_counter()
    await asyncio.gather(
        *(converse(tg, u, s, run, t) for u, s, t in zip(users, scripts, thinks, strict=True))
    )
    run.seconds = time.perf_counter() - started
    run.peak_rss_mb = peak_rss_mb(pid)
    return run


def sheet_script() -> list[str]:
    answers = [f"{8 + (n % 5) * 0.5}".replace(".0", "") for n in range(CRITERIA)]
    return ["/score", *answers]


async def bench_blocbot(folder: Path) -> tuple[Run, Run]:
    url = f"sqlite+aiosqlite:///{folder}/bench.db"
    codes = await seed(url, 2 * CONTACTS)
    async with TelegramEmulator() as tg:
        bot = BotProcess.against(tg, url, folder).start()
        try:
            await bot.wait_running()
            enrol = await measure("enrol", tg, [[f"/start {c}"] for c in codes], bot.pid)
            print(enrol.line())
            scripts = [sheet_script() for _ in range(CONTACTS)]
            full = await measure("blocbot", tg, scripts, bot.pid)
            print(full.line())
            calm = await measure(
                "blocbot~", tg, scripts, bot.pid, first=5000 + CONTACTS, paced=True
            )
            print(calm.line())
            return full, calm
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
            warm = tg.user(4999, "warm")
            await warm.send("ping")
            await tg.wait_for(warm, timeout=TIMEOUT)
            scripts = [sheet_script() for _ in range(CONTACTS)]
            full = await measure("echo", tg, scripts, child.pid)
            print(full.line())
            calm = await measure(
                "echo~", tg, scripts, child.pid, first=5000 + CONTACTS, paced=True
            )
            print(calm.line())
            return full, calm
        finally:
            child.terminate()
            await child.wait()


async def run() -> tuple[Run, Run]:
    """The Telegram runs; returns blocbot's saturated and paced runs, for the Zalo ratios."""
    print(
        f"== chat: {CONTACTS} contacts fill a {CRITERIA}-criterion sheet at once, over HTTP "
        f"through the Telegram emulator ==\n"
        f"   saturated: nobody pauses (throughput); paced (~): {THINK[0]:g}-{THINK[1]:g} s "
        f"between answers (latency at a human pace)"
    )
    with tempfile.TemporaryDirectory() as folder:
        blocbot, blocbot_paced = await bench_blocbot(Path(folder))
    echo, echo_paced = await bench_echo()
    print(
        f"blocbot / echo floor: throughput {blocbot.rate / echo.rate:.2f}x; "
        f"paced p99 {blocbot_paced.percentile(0.99):.1f} ms vs "
        f"{echo_paced.percentile(0.99):.1f} ms"
    )
    return blocbot, blocbot_paced
