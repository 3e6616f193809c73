"""200 contacts fill a 20-criterion sheet at once on Zalo, by webhook, against `blocbot run`.

The sheets and the people of bench/chat.py, on the Zalo channel in webhook mode: the Zalo Bot
API emulator and the simulated people run in this process, the bot in a child process with
BLOCBOT_WEBHOOK_URL set, so that the emulator POSTs each person's message to the bot's web
server and the bot answers with sendMessage, both over HTTP. Latency is measured as in
bench/chat.py: from a person's message reaching the emulator to the bot's first reply reaching
it, on the emulator's clock (so the time an update waits in the emulator's delivery counts).

The emulator posts up to DELIVERIES updates at once, each chat's one after another in order
(Zalo's own delivery is not documented; a service this size posts in parallel). One run posts
one update at a time, to show what a single delivery queue alone would cost: that run measures
the emulator's queue as much as the bot.

BLOCBOT_BENCH_DATABASE_URL (a PostgreSQL server, like
postgresql+asyncpg://postgres@127.0.0.1:5432/bench) runs it on PostgreSQL too, in a database of
its own that is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.chat import (
    CONTACTS,
    CRITERIA,
    POSTGRES_ENV,
    THINK,
    TIMEOUT,
    Run,
    cpu_seconds,
    peak_rss_mb,
    postgres_database,
    seed,
    sheet_script,
)
from bot.testing.process import BotProcess
from bot.testing.serving import free_port
from bot.testing.zalo_emulator import ZaloEmulator, ZaloUser

DELIVERIES = int(os.environ.get("BENCH_ZALO_DELIVERIES", "64"))  # webhook POSTs at once
# The paced run answers this many criteria (at 3-7 s an answer, all 20 would take 2 minutes).
PACED_ANSWERS = int(os.environ.get("BENCH_ZALO_PACED_ANSWERS", "8"))
SECRET = "bench-webhook-secret"
BOT_NAME = "Bot Khối thi đua"


@dataclass
class ZaloRun(Run):
    """What one run measured, and the CPU the bot and this process (emulator, people) used."""

    bot_cpu: float = 0.0  # seconds
    own_cpu: float = 0.0

    def cores(self) -> str:
        """How busy the two sides kept the machine's cores, on average."""
        return (
            f"{'':8s} cores busy: bot {self.bot_cpu / self.seconds:.2f}, emulator and people "
            f"{self.own_cpu / self.seconds:.2f}"
        )


async def converse(
    zl: ZaloEmulator, user: ZaloUser, texts: list[str], run: Run, think: random.Random | None
) -> None:
    """Send each text and wait for the bot's first reply before the next, like a person."""
    for message_text in texts:
        if think is not None:
            await asyncio.sleep(think.uniform(*THINK))
        message = await user.send(message_text)
        reply = await zl.wait_reply(user, timeout=TIMEOUT)
        run.latencies.append(reply.at - message.at)
        run.answered.append(time.perf_counter())
        run.updates += 1


async def measure(
    name: str,
    zl: ZaloEmulator,
    people: list[ZaloUser],
    scripts: list[list[str]],
    pid: int,
    paced: bool = False,
) -> ZaloRun:
    """Each person plays one script, all at once; what the run measured."""
    run = ZaloRun(name)
    thinks = [random.Random(n) if paced else None for n in range(len(scripts))]
    bot_cpu, own_cpu, started = cpu_seconds(pid), time.process_time(), time.perf_counter()
    await asyncio.gather(
        *(converse(zl, u, s, run, t) for u, s, t in zip(people, scripts, thinks, strict=True))
    )
    run.seconds = time.perf_counter() - started
    run.bot_cpu = cpu_seconds(pid) - bot_cpu
    run.own_cpu = time.process_time() - own_cpu
    run.peak_rss_mb = peak_rss_mb(pid)
    return run


def reviewed(zl: ZaloEmulator, people: list[ZaloUser]) -> int:
    """How many people got their sheet's review (its total) as the last reply."""
    lasts = (zl.last(person) for person in people)
    return sum(1 for last in lasts if last is not None and "Tổng điểm" in last.content)


async def bench_zalo(url: str, folder: Path, label: str) -> list[ZaloRun]:
    """Enrol three sets of contacts, then the three runs: one POST at a time, many, paced."""
    codes = await seed(url, 3 * CONTACTS)
    port = free_port()
    async with ZaloEmulator(bot_name=BOT_NAME) as zl:
        zl.webhook_timeout = TIMEOUT  # a slow answer under load is not taken for a lost POST
        bot = BotProcess.against_zalo(
            zl,
            url,
            folder,
            webhook_url=f"http://127.0.0.1:{port}",
            webhook_secret=SECRET,
            listen=f"127.0.0.1:{port}",
        ).start()
        try:
            await bot.wait_running()
            assert zl.webhook, f"the bot set no webhook:\n{bot.log}"
            people = [zl.user(f"{n:020x}", f"Người {n}") for n in range(len(codes))]
            enrol = await measure("enrol-1", zl, people, [[code] for code in codes], bot.pid)
            print(enrol.line())
            sets = [people[n * CONTACTS : (n + 1) * CONTACTS] for n in range(3)]
            scripts = [sheet_script() for _ in range(CONTACTS)]
            one = await measure("zalo-1", zl, sets[0], scripts, bot.pid)
            print(one.line())
            print(one.cores())
            zl.feed.concurrency = DELIVERIES
            full = await measure("zalo", zl, sets[1], scripts, bot.pid)
            print(full.line())
            print(full.cores())
            short = [script[: PACED_ANSWERS + 1] for script in scripts]
            calm = await measure("zalo~", zl, sets[2], short, bot.pid, paced=True)
            print(calm.line())
            done = reviewed(zl, sets[0]) + reviewed(zl, sets[1])
            retried = sum(1 for delivery in zl.deliveries if delivery.attempt > 1)
            print(
                f"   {label}: {done} of {2 * CONTACTS} sheets reviewed in full; "
                f"{len(zl.deliveries)} webhook POSTs, {retried} retried, "
                f"{zl.stats.webhook_lost} lost; {DELIVERIES} POSTs at once / one at a time: "
                f"throughput {full.rate / one.rate:.2f}x; paced p99 {calm.percentile(0.99):.1f} ms"
            )
            return [one, full, calm]
        finally:
            await bot.stop()
            if bot.returncode not in (0, None):
                print(bot.log[-3000:])


async def run(telegram: tuple[Run, Run] | None = None) -> None:
    """The Zalo runs; with Telegram's (saturated, paced) runs of the same session, the ratios."""
    print(
        f"== zalo chat: {CONTACTS} contacts fill a {CRITERIA}-criterion sheet at once, by "
        f"webhook from the Zalo emulator ==\n"
        f"   zalo: up to {DELIVERIES} webhook POSTs at once (each chat's in order); zalo-1: one "
        f"at a time, so its\n   throughput is as much the emulator's single delivery queue as "
        f"the bot's; paced (~): {THINK[0]:g}-{THINK[1]:g} s\n   between answers, /score and "
        f"{PACED_ANSWERS} answers each. Telegram's figures for the same sheets: == chat == above"
    )
    with tempfile.TemporaryDirectory() as folder:
        runs = await bench_zalo(f"sqlite+aiosqlite:///{folder}/bench.db", Path(folder), "SQLite")
    if telegram is not None:
        _one, full, calm = runs
        saturated, paced = telegram
        print(
            f"zalo / telegram (SQLite, this run): throughput {full.rate / saturated.rate:.2f}x; "
            f"paced p99 {calm.percentile(0.99):.1f} ms vs {paced.percentile(0.99):.1f} ms"
        )
    server = os.environ.get(POSTGRES_ENV)
    if server:
        print("   on PostgreSQL:")
        with tempfile.TemporaryDirectory() as folder:
            async with postgres_database(server) as url:
                await bench_zalo(url, Path(folder), "PostgreSQL")
    else:
        print(f"   (PostgreSQL: set {POSTGRES_ENV}=postgresql+asyncpg://USER@HOST:5432/DB)")
