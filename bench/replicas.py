"""Three replicas in webhook mode on one PostgreSQL, each update posted to the next, against the
echo floor: the chat benchmark's 200 contacts (bench/chat.py), the throughput of the three
together and the p99 at a human pace.

The Telegram emulator POSTs each update to the next replica in turn (up to 64 at once, each
chat's in order), as a load balancer in front of them would; each replica stores it in the
inbox and any replica's worker answers it. The balancer's own hop is left out: in production it
is nginx or Caddy, and a Python one (bot.testing.balancer, which the end-to-end test of the
replicas uses) would take its CPU from the same two cores the echo floor has to itself. The
echo floor is bench/chat.py's, on the same machine right after.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from bench.chat import (
    CONTACTS,
    PACED_FIRST,
    SATURATED_RUNS,
    TARGET_P99,
    TARGET_RATIO,
    Run,
    bench_echo,
    cpu_seconds,
    measure,
    median,
    paced_scripts,
    postgres_database,
    postgres_server,
    seed,
    sheet_script,
)
from bot.testing.process import BotProcess
from bot.testing.serving import free_port
from bot.testing.telegram_emulator import TelegramEmulator

REPLICAS = 3
SECRET = "bench-replicas-s3cret"
POSTS = 64  # updates the emulator posts at once


async def three(url: str, folder: Path) -> tuple[Run, Run]:
    """Enrol, then the saturated runs (the median one counts) and the paced one against the
    replicas; their CPU apart."""
    codes = await seed(url, (SATURATED_RUNS + 1) * CONTACTS)
    ports = [free_port() for _ in range(REPLICAS)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    async with TelegramEmulator() as tg:
        replicas = [
            BotProcess.against(
                tg,
                url,
                folder / f"replica-{n}",
                replica_name=f"r{n}",
                listen=f"127.0.0.1:{port}",
                webhook_url=bases[0],  # the address every replica tells Telegram
                webhook_secret=SECRET,
                database_pool="8",  # three replicas within the server's 100 connections
            )
            for n, port in enumerate(ports)
        ]
        try:
            for replica in replicas:
                replica.start()
            await asyncio.gather(*(replica.wait_running(60) for replica in replicas))
            path = urlsplit(str(tg.webhook["url"])).path
            await tg.deliver_to([base + path for base in bases], SECRET, connections=POSTS)
            first = replicas[0].pid
            enrol = await measure("enrol", tg, [[f"/start {c}"] for c in codes], first)
            print(enrol.line())
            runs = [
                *((f"3 bots {n + 1}", 5000 + n * CONTACTS, False) for n in range(SATURATED_RUNS)),
                ("3 bots~", PACED_FIRST, True),
            ]
            measured = []
            for name, start, paced in runs:
                scripts = paced_scripts() if paced else [sheet_script() for _ in range(CONTACTS)]
                before = [cpu_seconds(replica.pid) for replica in replicas]
                run = await measure(name, tg, scripts, first, first=start, paced=paced)
                used = [cpu_seconds(r.pid) - b for r, b in zip(replicas, before, strict=True)]
                run.bot_cpu = sum(used)  # the three together
                each = ", ".join(f"{seconds / run.seconds:.2f}" for seconds in used)
                print(f"{run.line()} (each: {each})")
                measured.append(run)
            return median(measured[:-1]), measured[-1]
        except Exception:
            for replica in replicas:
                print(replica.log[-2000:])
            raise
        finally:
            for replica in replicas:
                if replica.running:
                    await replica.stop()


def ceiling(run: Run, floor: Run) -> str:
    """What this machine's cores allow at the run's CPU an update (the replicas, PostgreSQL
    and the emulator's process together), against the floor's rate."""
    cpu = {
        "replicas": run.bot_cpu,
        "PostgreSQL": run.database_cpu,
        "emulator": run.harness_cpu,
    }
    each = ", ".join(f"{name} {seconds / run.updates * 1000:.1f}" for name, seconds in cpu.items())
    total = sum(cpu.values()) / run.updates
    cores = os.cpu_count() or 1
    most = cores / total
    return (
        f"   CPU an update, saturated: {each} ms; {total * 1000:.1f} ms in all, so {cores} cores "
        f"answer at most {most:.0f} updates/s ({most / floor.rate:.2f}x the floor)"
    )


async def run() -> None:
    print(
        f"== replicas: {REPLICAS} `blocbot run` in webhook mode on one PostgreSQL, the emulator "
        f"posting to each in turn, {CONTACTS} contacts as in chat ==\n"
        f"   (peak RSS: the first replica's; bot CPU: the three together)"
    )
    server = await postgres_server()
    if server is None:
        print("   (PostgreSQL: none answers; set BLOCBOT_BENCH_DATABASE_URL)")
        return
    with tempfile.TemporaryDirectory() as folder:
        async with postgres_database(server) as url:
            full, calm = await three(url, Path(folder))
    echo, echo_calm = await bench_echo()
    ratio = full.rate / echo.rate
    paced = calm.percentile(0.99)
    print(
        f"PostgreSQL, {REPLICAS} replicas / echo floor: throughput {ratio:.2f}x "
        f"({full.rate:.1f} vs {echo.rate:.1f} updates/s, target {TARGET_RATIO:g}x"
        f"{'' if ratio >= TARGET_RATIO else ': not reached'}; sustained "
        f"{full.sustained / echo.sustained:.2f}x); paced p99 {paced:.1f} ms vs "
        f"{echo_calm.percentile(0.99):.1f} ms (target {TARGET_P99:g} ms"
        f"{'' if paced <= TARGET_P99 else ': not reached'})"
    )
    print(ceiling(full, echo))


if __name__ == "__main__":
    asyncio.run(run())
