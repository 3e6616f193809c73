"""The calendar job reads only the blocs whose time has come, and lets replies through while a
wave of them is queued."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, select, text, update

from bot.app import App
from bot.blocfile import EventKind, load_bloc_file
from bot.clock import FrozenClock
from bot.storage.models import Contact, Event, GroupLink, Membership, OutboxMessage
from tests.conftest import SAMPLE

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local(moment: str) -> datetime:
    return datetime.strptime(moment, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


async def import_blocs(app: App, count: int, *, group: bool = False) -> list[int]:
    """``count`` copies of the sample bloc (deadline 20/11/2021 17:00); with ``group``, each
    has a group, so that its reminders go somewhere."""
    spec = load_bloc_file(SAMPLE)
    ids = []
    for number in range(count):
        code = f"khoi-{number}"
        await app.blocs.import_bloc(replace(spec, code=code))
        async with app.uow() as uow:
            bloc = await uow.blocs.get(code)
            assert bloc is not None
            ids.append(bloc.id)
            if group:
                link = GroupLink(
                    bloc_id=bloc.id,
                    platform="telegram",
                    chat_id=str(-100 - number),
                    linked_at=app.clock.now(),
                )
                uow.groups.add(link)
                await uow.commit()
    return ids


@contextmanager
def statements(app: App) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the app sends meanwhile, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, sql: str, _params: Any, context: Any, _many: Any) -> None:
        named = getattr(context, "compiled_parameters", None) or [{}]
        seen.append((sql, named[0]))

    event.listen(app.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", record)


def blocs_read(seen: list[tuple[str, Any]]) -> set[int]:
    """The blocs whose seasons the statements read."""
    return {
        value
        for sql, params in seen
        if "FROM seasons" in sql
        for name, value in params.items()
        if name.startswith("bloc_id")
    }


async def outbox(app: App) -> list[OutboxMessage]:
    async with app.uow() as uow:
        rows = list((await uow.session.scalars(select(OutboxMessage))).all())
        uow.session.expunge_all()
        return rows


async def test_a_tick_reads_no_bloc_that_has_nothing_due(app: App, clock: FrozenClock) -> None:
    ids = await import_blocs(app, 3)
    clock.set(local("2021-11-12 10:00"))
    await app.remind()  # the first look at each calendar

    with statements(app) as idle:
        assert await app.remind() == 0
    # one bloc's deadline moves to a day from now: only it has something due
    await app.services.events.move(ids[1], await _deadline(app, ids[1]), local("2021-11-13 11:00"))
    with statements(app) as one:
        await app.remind()

    assert len(idle) == 1 and "FROM calendar_due" in idle[0][0]  # and nothing else
    assert blocs_read(one) == {ids[1]}


async def test_a_change_to_the_calendar_is_read_at_the_next_tick(
    app: App, clock: FrozenClock
) -> None:
    (bloc,) = await import_blocs(app, 1, group=True)
    clock.set(local("2021-11-10 10:00"))
    await app.remind()  # nothing until the deadline's 7-day reminder, on 13/11
    hoa = await _head_contact(app, bloc)

    change = await app.services.events.create(
        bloc, hoa, EventKind.MEETING, "Họp gấp", local("2021-11-11 09:00")
    )
    clock.set(local("2021-11-10 11:00"))  # a day before: its 1-day reminder
    await app.remind()

    rows = [row for row in await outbox(app) if row.event_id == change.event.id]
    assert {row.dedupe_key for row in rows if row.dedupe_key.startswith("remind:")} == {
        f"remind:{change.event.id}:v1:86400:telegram:{chat}" for chat in ("-100", "hoa")
    }


async def test_a_change_made_behind_the_bots_back_is_read_within_hours(
    app: App, clock: FrozenClock
) -> None:
    await import_blocs(app, 1, group=True)
    clock.set(local("2021-11-10 10:00"))
    await app.remind()
    async with app.uow() as uow:  # an operator's SQL: nothing tells the job
        at = local("2021-11-12 12:00")
        await uow.session.execute(update(Event).where(Event.code == "self-score").values(at=at))
        await uow.commit()

    clock.set(local("2021-11-10 17:00"))  # past its 7-day and 3-day offsets, and 6 hours on
    added = await app.remind()

    assert added == 1
    (row,) = [row for row in await outbox(app) if (row.dedupe_key or "").startswith("remind:")]
    assert row.dedupe_key.split(":")[3] == str(int(timedelta(days=3).total_seconds()))


async def test_a_wave_of_blocs_lets_replies_through_between_blocs(
    app: App, clock: FrozenClock
) -> None:
    blocs = await import_blocs(app, 12, group=True)
    clock.set(local("2021-11-12 10:00"))
    await app.remind()
    clock.set(local("2021-11-13 17:00"))  # the 7-day reminder, due in every bloc at once
    wave = asyncio.ensure_future(app.remind())
    answered = 0
    while not wave.done():  # someone writing all along: a unit of work of their own each
        async with app.uow() as uow:
            await uow.session.execute(text("SELECT 1"))
            await uow.commit()
        answered += 1
        await asyncio.sleep(0)

    assert await wave == len(blocs)  # a post to each bloc's group, none missed
    assert answered >= len(blocs) - 1  # a reply between every two blocs
    keys = [row.dedupe_key for row in await outbox(app)]
    assert len(keys) == len(set(keys)) == len(blocs)
    assert await app.remind() == 0  # nothing twice


async def _deadline(app: App, bloc_id: int) -> int:
    async with app.uow() as uow:
        current = await uow.seasons.current(bloc_id)
        assert current is not None
        events = await uow.seasons.events(current[0])
        return next(e.id for e in events if e.code == "self-score")


async def _head_contact(app: App, bloc_id: int) -> int:
    """A contact linked to the head agency (it may create events)."""
    async with app.uow() as uow:
        bloc = await uow.blocs.with_agencies(bloc_id)
        assert bloc is not None
        contact = Contact(platform="telegram", user_id="hoa", created_at=app.clock.now())
        uow.contacts.add(contact)
        await uow.session.flush()
        agency = next(a for a in bloc.agencies if a.code == "nhnn")
        uow.contacts.link(
            Membership(
                contact_id=contact.id,
                bloc_id=bloc_id,
                agency_id=agency.id,
                linked_at=app.clock.now(),
            )
        )
        await uow.commit()
        return contact.id
