"""The bloc's settings from its file: stored on the bloc, changed by a new import, and carried
on its outbox rows for the dispatcher; blocs from before migration 0005 get the defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bot.app import App
from bot.blocfile import load_bloc_file, parse_bloc
from bot.storage.db import create_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Bloc, GroupLink, OutboxMessage
from tests.conftest import SAMPLE
from tests.unit.blocfile_cases import dump, sample_data


def with_settings(**values: Any) -> str:
    data = sample_data()
    data["bloc"].update(values)
    return dump(data)


async def stored(app: App) -> Bloc:
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        uow.session.expunge(bloc)
        return bloc


async def test_an_import_stores_the_settings_and_a_new_one_changes_them(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    bloc = await stored(app)
    assert (bloc.short_name, bloc.quiet_hours, bloc.quiet_days, bloc.holidays) == (
        "Khối TW Thái Bình", "21:00-07:00", [], []
    )  # fmt: skip

    spec = parse_bloc(
        with_settings(
            short_name="Khối TW Thái Bình",
            quiet_hours="21:30-06:30",
            quiet_days=["sat", "sun"],
            holidays=["2021-11-20"],
        )
    )
    report = await app.blocs.import_bloc(spec)

    bloc = await stored(app)
    assert bloc.short_name == "Khối TW Thái Bình" and bloc.quiet_hours == "21:30-06:30"
    assert bloc.quiet_days == ["sat", "sun"] and bloc.holidays == ["2021-11-20"]
    changed = [c for c in report.changes if c.what == "bloc"]
    assert len(changed) == 1
    again = await app.blocs.import_bloc(spec)
    assert [c for c in again.changes if c.what == "bloc"] == []  # the same file: no change


async def test_calendar_posts_carry_the_quiet_time(app: App) -> None:
    await app.blocs.import_bloc(
        parse_bloc(with_settings(quiet_days=["sun"], holidays=["2021-11-01", "2021-12-24"]))
    )
    bloc = await stored(app)
    async with app.uow() as uow:
        uow.groups.add(
            GroupLink(
                bloc_id=bloc.id, platform="telegram", chat_id="-1", linked_at=app.clock.now()
            )
        )
        season = await uow.seasons.latest(bloc.id)
        assert season is not None
        event_id = season.events[0].id
        await uow.commit()
    events = app.services.events

    await events.move(bloc.id, event_id, app.clock.now().replace(day=25))

    async with app.uow() as uow:
        (row,) = (await uow.session.scalars(select(OutboxMessage))).all()
        uow.session.expunge(row)
    assert row.quiet and row.chat_kind == "group"
    assert row.payload == {
        "quiet": {"hours": "21:00-07:00", "days": ["sun"], "holidays": ["2021-12-24"]},
        "before_event": True,
    }  # the holidays already past are left out


async def test_blocs_from_before_the_settings_get_the_defaults(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await upgrade(url, "0004")
    engine = create_engine(url)
    insert = text(
        "INSERT INTO blocs (code, name, timezone, locale, created_at) "
        "VALUES ('old', 'Khối cũ', 'Asia/Ho_Chi_Minh', 'vi', '2021-01-01 00:00:00')"
    )
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: sync.execute(insert))
    await engine.dispose()

    await upgrade(url)

    engine = create_engine(url)
    query = text("SELECT short_name, quiet_hours, quiet_days, holidays FROM blocs")
    async with engine.connect() as connection:
        row = await connection.run_sync(lambda sync: sync.execute(query).one())
    await engine.dispose()
    assert tuple(row) == (None, "21:00-07:00", "[]", "[]")
