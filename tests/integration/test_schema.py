"""The migrations and the models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from bot.storage.db import create_engine, session_factory
from bot.storage.migrate import upgrade
from bot.storage.models import Base


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_match_models(database_url: str) -> None:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(_diff)
    await engine.dispose()
    assert diff == []


def _pragmas(connection: Connection) -> tuple[object, object]:
    mode = connection.execute(text("PRAGMA journal_mode")).scalar()
    return mode, connection.execute(text("PRAGMA foreign_keys")).scalar()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    async with engine.connect() as connection:
        pragmas = await connection.run_sync(_pragmas)
    await engine.dispose()
    assert pragmas == ("wal", 1)


async def test_sqlite_sessions_read_and_write_inline(tmp_path: object) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/y.db"
    await upgrade(url)
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        await session.execute(
            text("INSERT INTO processed_updates VALUES ('t', '1', '2025-01-01')")
        )
        await session.commit()
        count = await session.scalar(text("SELECT count(*) FROM processed_updates"))
    await engine.dispose()
    assert engine.dialect.driver == "blocbot_inline" and count == 1
