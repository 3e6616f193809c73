"""A dialog's state is written when its unit of work commits (on PostgreSQL with the audit
entry's statement): it is stored with the entry, read back in the same unit, and dropped
with a rollback."""

from __future__ import annotations

from bot.app import App
from bot.domain.audit import AuditFacts
from bot.testing.recording import Recording

WHERE = ("telegram", "chat-1", "user-1")


async def put(app: App, unit_state: str, **data: str) -> None:
    async with app.uow() as unit:
        await unit.conversations.put(*WHERE, unit_state, dict(data), app.clock.now())
        await unit.commit()


async def stored(app: App) -> tuple[str, dict[str, str]] | None:
    async with app.uow() as unit:
        found = await unit.conversations.state(*WHERE)
        return None if found is None else (found.state, found.data)


async def test_a_dialog_written_with_an_audit_entry_is_kept_with_it(app: App) -> None:
    recording = Recording(app)
    await recording.seed()
    async with app.uow() as unit:
        bloc = await unit.blocs.get("tw-thaibinh")
        assert bloc is not None
        await unit.conversations.put(*WHERE, "sheet", {"criterion": "I.2"}, app.clock.now())
        await unit.audit.append(bloc.id, [AuditFacts(at=app.clock.now(), field="test")])
        await unit.commit()

    assert await stored(app) == ("sheet", {"criterion": "I.2"})
    check = await app.history.verify("tw-thaibinh")
    assert check.intact and check.head_seq == check.last_seq


async def test_a_dialog_written_then_read_in_one_unit_reads_the_new_state(app: App) -> None:
    await put(app, "sheet", criterion="I.1")
    async with app.uow() as unit:
        await unit.conversations.put(*WHERE, "review", {}, app.clock.now())
        found = await unit.conversations.state(*WHERE)
        assert found is not None and found.state == "review"
        in_flow = await unit.conversations.states_in_flow("review")
        assert [state.user_id for state in in_flow] == ["user-1"]


async def test_a_rollback_drops_the_dialog_written_before_it(app: App) -> None:
    await put(app, "sheet", criterion="I.1")
    async with app.uow() as unit:
        await unit.conversations.put(*WHERE, "review", {}, app.clock.now())
        await unit.rollback()
        await unit.commit()

    assert await stored(app) == ("sheet", {"criterion": "I.1"})
