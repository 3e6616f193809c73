"""200 contacts fill a 20-criterion sheet at once, against `blocbot run` and an echo floor.

Everything runs on this machine: the Telegram Bot API emulator and the simulated people in
this process, the bot in a child process talking to the emulator over HTTP, like in
production. Latency is measured from a person's message reaching the emulator to the bot's
first reply reaching it.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build
from bot.config import Settings
from bot.services.blocfile import parse_bloc
from bot.storage.migrate import upgrade
from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "200"))
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


async def converse(tg: TelegramEmulator, user: FakeUser, texts: list[str], run: Run) -> None:
    """Send each text and wait for the first reply before the next, like a person."""
    for text in texts:
        sent = time.perf_counter()
        await user.send(text)
        await tg.wait_for(user, timeout=TIMEOUT)
        run.latencies.append(time.perf_counter() - sent)
        run.updates += 1
        tg.mark(user)


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def measure(name: str, tg: TelegramEmulator, scripts: list[list[str]], pid: int) -> Run:
    run = Run(name)
    users = [tg.user(5000 + n, f"Người {n}") for n in range(len(scripts))]
    started = time.perf_counter()
    await asyncio.gather(*(converse(tg, u, s, run) for u, s in zip(users, scripts, strict=True)))
    run.seconds = time.perf_counter() - started
    run.peak_rss_mb = peak_rss_mb(pid)
    return run


def sheet_script() -> list[str]:
    answers = [f"{8 + (n % 5) * 0.5}".replace(".0", "") for n in range(CRITERIA)]
    return ["/score", *answers]


async def bench_blocbot(folder: Path) -> Run:
    url = f"sqlite+aiosqlite:///{folder}/bench.db"
    codes = await seed(url, CONTACTS)
    async with TelegramEmulator() as tg:
        bot = BotProcess.against(tg, url, folder).start()
        try:
            await bot.wait_running()
            enrol = await measure("enrol", tg, [[f"/start {code}"] for code in codes], bot.pid)
            print(enrol.line())
            return await measure("blocbot", tg, [sheet_script() for _ in codes], bot.pid)
        finally:
            await bot.stop()


async def bench_echo() -> Run:
    async with TelegramEmulator() as tg:
        child = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("echo_bot.py")), tg.api_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert child.stdout is not None
            await asyncio.get_running_loop().run_in_executor(None, child.stdout.readline)
            warm = tg.user(4999, "warm")
            await warm.send("ping")
            await tg.wait_for(warm, timeout=TIMEOUT)
            return await measure("echo", tg, [sheet_script() for _ in range(CONTACTS)], child.pid)
        finally:
            child.terminate()
            child.wait(10)


async def run() -> None:
    print(f"== chat: {CONTACTS} contacts fill a {CRITERIA}-criterion sheet at once ==")
    with tempfile.TemporaryDirectory() as folder:
        blocbot = await bench_blocbot(Path(folder))
    echo = await bench_echo()
    print(blocbot.line())
    print(echo.line())
    print(
        f"blocbot / echo floor: throughput {blocbot.rate / echo.rate:.2f}x, "
        f"p99 latency {blocbot.percentile(0.99) / echo.percentile(0.99):.1f}x"
    )
