"""What one answered update costs the database, on SQLite and PostgreSQL: the statements of a
typed score, a pool where people wait their turn, and connections the server dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App, build
from bot.clock import FrozenClock
from bot.storage import db
from bot.storage.models import AuditEntry
from bot.testing.recording import Recording
from tests.conftest import backend, settings_for

# Statements of one typed score in the sheet dialog, its audit entry and dialog state included:
# the claim of the update with the person, their dialog and links (one statement on
# PostgreSQL, two on SQLite), the season with the sheet (held), then on PostgreSQL one more:
# the entry chained after the bloc's head, with the score and the dialog (SQLite: the score
# with the sheet's time, and five for the entry and the dialog). They were 14 on both
# engines, and PostgreSQL had 3 round trips more for a ping of the connection.
STATEMENTS = {"sqlite": 9, "postgresql": 3}


@contextmanager
def statements_of(app: App) -> Iterator[list[str]]:
    """The SQL statements the app sends inside the block."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(" ".join(str(args[2]).split()))

    engine = app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_typed_score_is_saved_audited_and_answered_in_few_statements(app: App) -> None:
    recording = Recording(app)
    await recording.seed()
    hoa = recording.person("2001", "Hoa")
    await hoa.say(f"/start {recording.codes['thue']}")
    await hoa.say("/score")
    await hoa.say("20")  # the first answer makes the sheet

    with statements_of(app) as sent:
        said = await hoa.say_text("9,5")

    assert "I.2 = 9,5" in said
    limit = STATEMENTS[backend(app.settings.database_url)]
    assert len(sent) <= limit, f"{len(sent)} statements:\n" + "\n".join(sent)
    async with app.uow() as unit:
        query = select(AuditEntry.old_value, AuditEntry.new_value).order_by(AuditEntry.seq)
        changes = [tuple(row) for row in await unit.session.execute(query)]
    assert changes[-2:] == [(None, "20"), (None, "9.5")]
    check = await app.history.verify("tw-thaibinh")
    assert check.intact and check.head_seq == check.last_seq


async def test_people_beyond_the_pool_wait_their_turn_and_are_all_answered(
    database_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    if backend(database_url) != "postgresql":
        pytest.skip("SQLite's units of work take turns in the process anyway")
    settings = settings_for(database_url, tmp_path).model_copy(update={"database_pool": 2})
    app = build(settings, clock)
    try:
        recording = Recording(app)
        people = [recording.person(str(3000 + n), f"Người {n}") for n in range(30)]
        answers = await asyncio.gather(*(person.say_text("/help") for person in people))
    finally:
        await app.close()
    assert all("/start" in answer for answer in answers)


async def test_connections_the_server_dropped_are_replaced_before_use(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = app.settings.database_url
    if backend(url) != "postgresql":
        pytest.skip("a SQLite file has no server to drop connections")
    monkeypatch.setattr(db, "IDLE_PING", 0.0)  # every connection back from the pool is checked
    recording = Recording(app)
    hoa = recording.person("2001", "Hoa")
    assert "/start" in await hoa.say_text("/help")  # a connection now waits in the pool

    server = create_async_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with server.connect() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": make_url(url).database},
            )
    finally:
        await server.dispose()

    assert "/start" in await hoa.say_text("/help")
