"""A self-score is written when its unit of work commits (on PostgreSQL with the audit entry's
statement), unless the unit reads anything first: it is stored with its entry, seen by any
read in the same unit, and dropped with a rollback."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from bot.app import App
from bot.storage.models import ScoreEntry
from tests.integration.test_audit_label import people


async def values(app: App) -> list[Decimal | None]:
    async with app.uow() as unit:
        found = await unit.session.scalars(select(ScoreEntry.self_value))
        return list(found)


async def test_a_score_written_with_its_audit_entry_is_kept_with_it(app: App) -> None:
    bloc_id, agencies, ids = await people(app)

    await app.services.scoring.answer(bloc_id, agencies["thue"], ids["u1"], [("I.2", Decimal(8))])

    assert await values(app) == [Decimal(8)]
    check = await app.history.verify("tw-thaibinh")
    assert check.intact and check.last_seq == check.head_seq == 1


async def test_a_score_written_then_read_in_one_unit_reads_the_new_value(app: App) -> None:
    bloc_id, agencies, ids = await people(app)
    async with app.work() as work:
        await work.scoring.answer(bloc_id, agencies["thue"], ids["u1"], [("I.2", Decimal(8))])

        found = await work.unit.session.scalars(select(ScoreEntry.self_value))

        assert list(found) == [Decimal(8)]
        await work.commit()
    assert await values(app) == [Decimal(8)]


async def test_a_rollback_drops_the_score_written_before_it(app: App) -> None:
    bloc_id, agencies, ids = await people(app)
    await app.services.scoring.answer(bloc_id, agencies["thue"], ids["u1"], [("I.2", Decimal(8))])
    async with app.work() as work:
        await work.scoring.answer(bloc_id, agencies["thue"], ids["u1"], [("I.2", Decimal(7))])
        await work.rollback()
        await work.commit()

    assert await values(app) == [Decimal(8)]
    check = await app.history.verify("tw-thaibinh")
    assert check.intact and check.last_seq == 1


async def test_two_dialogs_and_a_score_in_one_unit_are_all_kept(app: App) -> None:
    bloc_id, agencies, ids = await people(app)
    now = app.clock.now()
    async with app.work() as work:
        await work.unit.conversations.put("telegram", "chat-1", "u1", "sheet", {}, now)
        await work.unit.conversations.put("telegram", "chat-2", "u1", "review", {}, now)
        await work.scoring.answer(bloc_id, agencies["thue"], ids["u1"], [("I.2", Decimal(8))])
        await work.commit()

    assert await values(app) == [Decimal(8)]
    async with app.uow() as unit:
        states = [
            found.state if found else None
            for found in [
                await unit.conversations.state("telegram", chat, "u1")
                for chat in ("chat-1", "chat-2")
            ]
        ]
    assert states == ["sheet", "review"]
