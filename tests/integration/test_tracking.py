"""Deadlines met per agency and meeting answers: marks, lists, reminders, the place notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.blocfile import EventKind
from bot.services.tracking import TrackingProblem, TrackingRefused
from bot.storage.models import AuditEntry, Contact
from tests.integration.test_reminders import PLACE, Bloc, bloc, local, recipients

__all__ = ["bloc"]  # the sample bloc with five contacts and a group, from test_reminders


async def contact(b: Bloc, user: str) -> int:
    async with b.app.uow() as uow:
        found = await uow.session.scalar(select(Contact.id).where(Contact.user_id == user))
        assert found is not None
        return found


async def report(b: Bloc) -> int:
    """A deadline that is not the score sheet's, reminded one day before."""
    change = await b.app.services.events.create(
        b.bloc_id,
        await contact(b, "hoa"),
        EventKind.DEADLINE,
        "Báo cáo sơ kết 6 tháng",
        local("2021-11-15 17:00"),
        remind_offsets=[timedelta(days=1)],
        closes_scoring=False,
    )
    return change.event.id


async def test_reminders_of_a_report_skip_the_agencies_that_sent_it(bloc: Bloc) -> None:
    tracking = bloc.app.services.tracking
    event = await report(bloc)
    lan, hoa = await contact(bloc, "lan"), await contact(bloc, "hoa")
    await tracking.mark_done(bloc.bloc_id, event, "thue", lan)  # by its contact
    await tracking.mark_done(bloc.bloc_id, event, "khobac", hoa)  # by the head

    rows = await bloc.tick("2021-11-14 17:00")

    assert recipients([r for r in rows if r.event_id == event]) == {"@-100", "hoa", "minh"}


async def test_the_head_sees_who_has_sent_it_and_can_undo_a_mark(bloc: Bloc) -> None:
    tracking = bloc.app.services.tracking
    event = await report(bloc)
    lan, hoa = await contact(bloc, "lan"), await contact(bloc, "hoa")
    first = await tracking.mark_done(bloc.bloc_id, event, "thue", lan)
    again = await tracking.mark_done(bloc.bloc_id, event, "thue", lan)
    undone = await tracking.mark_done(bloc.bloc_id, event, "thue", hoa, undo=True)
    await tracking.mark_done(bloc.bloc_id, event, "nhnn", hoa)

    marks = await tracking.completions(bloc.bloc_id, event)

    assert first.before.at is None and first.after.at == bloc.clock.now()
    assert again.before == again.after  # nothing changed
    assert undone.before.at is not None and undone.after.at is None
    assert [m.code for m in marks.done()] == ["nhnn"]
    assert len(marks.missing()) == len(marks.agencies) - 1
    async with bloc.app.uow() as uow:
        entries = (await uow.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))).all()
        done = [(e.old_value, e.new_value) for e in entries if e.field == "done"]
    assert done == [(None, "yes"), ("yes", None), (None, "yes")]


async def test_the_score_sheet_deadline_is_not_marked_by_hand(bloc: Bloc) -> None:
    with pytest.raises(TrackingRefused) as refused:
        await bloc.app.services.tracking.mark_done(
            bloc.bloc_id, bloc.events["self-score"], "thue", await contact(bloc, "lan")
        )
    assert refused.value.problem is TrackingProblem.SCORING


async def test_attendance_answers_change_until_the_meeting_and_the_head_sees_them(
    bloc: Bloc,
) -> None:
    tracking = bloc.app.services.tracking
    meeting = bloc.events["tong-ket"]
    lan, tu = await contact(bloc, "lan"), await contact(bloc, "tu")
    await tracking.answer(bloc.bloc_id, meeting, "thue", lan, True, "Lan, phó cục trưởng")
    kept = await tracking.answer(bloc.bloc_id, meeting, "thue", lan, True)
    await tracking.answer(bloc.bloc_id, meeting, "khobac", tu, True, "Tú")
    changed = await tracking.answer(bloc.bloc_id, meeting, "khobac", tu, False)

    marks = await tracking.attendance(bloc.bloc_id, meeting)

    assert kept.after.attendees == "Lan, phó cục trưởng"
    assert (changed.before.answer, changed.after.answer) == (True, False)
    answers = {m.code: (m.answer, m.attendees) for m in marks.agencies}
    assert answers["thue"] == (True, "Lan, phó cục trưởng")
    assert answers["khobac"] == (False, None)
    assert answers["nhnn"] == (None, None)
    bloc.clock.set(local("2021-12-20 14:00"))
    with pytest.raises(TrackingRefused) as refused:
        await tracking.answer(bloc.bloc_id, meeting, "thue", lan, False)
    assert refused.value.problem is TrackingProblem.PASSED


async def test_a_new_place_tells_the_group_and_the_agencies_coming_old_to_new(
    bloc: Bloc,
) -> None:
    tracking = bloc.app.services.tracking
    meeting = bloc.events["tong-ket"]
    hoa = await contact(bloc, "hoa")
    await tracking.answer(bloc.bloc_id, meeting, "nhnn", hoa, True, "Hoa")
    before = {row.id for row in await bloc.rows()}

    change = await tracking.move_place(bloc.bloc_id, meeting, "Phòng họp tầng 3", hoa)

    rows = [row for row in await bloc.rows() if row.id not in before]
    assert change.previous == PLACE and change.event.place == "Phòng họp tầng 3"
    # the Zalo contact reads the group's posts directly: the bloc has no group on Zalo
    assert recipients(rows) == {"@-100", "tu-zalo", "hoa"}
    to_hoa = next(row for row in rows if row.chat_id == "hoa").text
    assert f"{PLACE} → Phòng họp tầng 3" in to_hoa
    async with bloc.app.uow() as uow:
        query = select(AuditEntry.old_value, AuditEntry.new_value, AuditEntry.subject)
        entry = (await uow.session.execute(query.where(AuditEntry.field == "place"))).one()
    assert tuple(entry) == (PLACE, "Phòng họp tầng 3", "tong-ket")
