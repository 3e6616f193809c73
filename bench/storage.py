"""Bloc import and ranking: how long the operator's and the head's heaviest calls take."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bot.app import build
from bot.blocfile import load_bloc_file
from bot.config import Settings
from bot.domain.ranking import Candidate, rank
from bot.domain.rules import parse_tie_break
from bot.domain.sheets import total
from bot.storage.migrate import upgrade

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "tw-thaibinh.yaml"
ROUNDS = 20


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.2f} ms, max {max(samples) * 1000:7.2f} ms"


async def run() -> None:
    """Time the bloc import on SQLite, then totals and ranking in the domain."""
    print("== storage: bloc import on SQLite ==")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        started = time.perf_counter()
        await upgrade(url)
        print(f"schema from migrations       {(time.perf_counter() - started) * 1000:7.2f} ms")
        app = build(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
        spec = load_bloc_file(SAMPLE)
        started = time.perf_counter()
        await app.blocs.import_bloc(spec)
        first = time.perf_counter() - started
        again = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            report = await app.blocs.import_bloc(spec)
            again.append(time.perf_counter() - started)
            assert not report.changes
        await app.close()
    print(f"first import (8 agencies)    {first * 1000:7.2f} ms")
    print(f"re-import, no changes        {_ms(again)}  ({ROUNDS} rounds)")

    print("== domain: totals and ranking ==")
    table = spec.season.table
    tie_break = [parse_tie_break(rule) for rule in ("group:I", "deductions", "submitted_at")]
    rng = random.Random(7)
    start = datetime(2021, 11, 1, tzinfo=UTC)
    for agencies in (15, 1000):
        candidates = []
        started = time.perf_counter()
        for number in range(agencies):
            values = {
                item.code: Decimal(rng.randrange(int(item.max * 2) + 1)) / 2
                for item in table.criteria()
            }
            candidates.append(
                Candidate(f"a{number}", total(table, values), start + timedelta(minutes=number))
            )
        totals = time.perf_counter() - started
        started = time.perf_counter()
        standings = rank(candidates, tie_break)
        ranking = time.perf_counter() - started
        assert len(standings.placings) == agencies
        figures = f"totals {totals * 1000:7.2f} ms, ranking {ranking * 1000:7.2f} ms"
        print(f"{agencies:5d} sheets: {figures}")
