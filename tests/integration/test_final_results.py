"""The final results: a flag ballot decides a tie, an operator corrects a final score with a
reason, and reopening a sheet undoes the review's plain acceptances."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.app import App
from bot.clock import FrozenClock
from bot.domain.ballots import BallotKind
from bot.domain.scores import ScoreError
from bot.handlers.announce import results_in
from bot.handlers.results import results_post
from bot.i18n import use_locale
from bot.services.corrections import NotFinal, ReasonRequired
from bot.storage.models import AuditEntry, OutboxMessage
from tests.integration.test_ballots import seed as seed_voters
from tests.integration.test_results_service import Seeded, fill, review, seed


async def announce(app: App, seeded: Seeded, clock: FrozenClock) -> None:
    head = seeded.contacts["nhnn"]
    await app.services.results.publish(seeded.bloc_id, head, results_in)
    clock.advance(timedelta(days=3))  # the time to object, by default
    await app.services.results.announce(seeded.bloc_id, head, results_in)


async def test_a_flag_ballot_decides_a_tie_at_rank_one(app: App, clock: FrozenClock) -> None:
    voters = await seed_voters(app)
    seeded = Seeded(voters.bloc_id, voters.agencies, voters.contacts)
    for code, points in (("thue", "25"), ("khobac", "25"), ("nhnn", "10")):
        await fill(app, seeded, code, I_1=points, I_2="0", I_3="0")
    before = await app.services.results.standings(seeded.bloc_id)
    assert before.leader is not None and before.leader.code == "khobac"  # by code, tied
    assert {a.code for a in before.awards[0].tied} == {"khobac", "thue"}

    ballots, head = app.services.ballots, seeded.contacts["nhnn"]
    ballot = await ballots.open(
        seeded.bloc_id, head, BallotKind.FLAG, clock.now() + timedelta(hours=24)
    )
    picks = {"nhnn": "thue", "thue": "thue", "khobac": "khobac", "thongke": "thue"}
    picks["dutru"] = "thue"
    for code, pick in picks.items():
        await ballots.cast(seeded.bloc_id, ballot.id, seeded.agencies[code], (pick,))
    await ballots.close(seeded.bloc_id, ballot.id, head)

    provisional = await app.services.results.standings(seeded.bloc_id)
    assert provisional.leader is not None and provisional.leader.code == "thue"
    flag = provisional.awards[0]
    assert flag.tied == () and flag.ballot is not None and flag.ballot.id == ballot.id
    assert [a.code for a in provisional.awards[1].agencies][:1] == ["khobac"]

    await announce(app, seeded, clock)
    final = await app.services.results.standings(seeded.bloc_id)
    assert final.final and final.leader is not None and final.leader.code == "thue"
    with use_locale("en"):
        post = results_post(final)
    assert "Leading unit: Cục Thuế tỉnh Thái Bình (acclaimed by secret ballot: 4/5 votes)" in post
    assert f"Decided by secret ballot no. {ballot.id}: Cục Thuế tỉnh Thái Bình 4 of 5" in post
    assert "the bloc decides" not in post
    async with app.uow() as uow:
        texts = await uow.session.scalars(
            select(OutboxMessage.text).where(OutboxMessage.dedupe_key.like("results:%"))
        )
        assert all("4/5" in text for text in texts)


async def test_an_operator_corrects_a_final_score_with_a_reason(
    app: App, clock: FrozenClock
) -> None:
    seeded = await seed(app)
    await fill(app, seeded, "nhnn", I_1="20")
    await fill(app, seeded, "thue", I_1="25")
    corrections, operator = app.services.corrections, seeded.contacts["khobac"]
    with pytest.raises(NotFinal):
        await corrections.correct(seeded.bloc_id, operator, "thue", "I.1", "10", "a typo")
    await announce(app, seeded, clock)
    with pytest.raises(ReasonRequired):
        await corrections.correct(seeded.bloc_id, operator, "thue", "I.1", "10", "  ")
    with pytest.raises(ScoreError):
        await corrections.correct(seeded.bloc_id, operator, "thue", "I.1", "10,3", "a typo")

    done = await corrections.correct(
        seeded.bloc_id, operator, "THUE", "i.1", "10", "the decision says 10"
    )

    assert (done.old, done.new, done.reason) == (Decimal(25), Decimal(10), "the decision says 10")
    assert done.placing is not None and (done.placing.rank, done.placing.total) == (2, 10)
    final = await app.services.results.standings(seeded.bloc_id)
    assert [(p.agency.code, p.total) for p in final.placings] == [
        ("nhnn", Decimal(20)),
        ("thue", Decimal(10)),
    ]
    async with app.uow() as uow:
        rows = await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.reason == "the decision says 10")
        )
        [entry] = list(rows)
        assert (entry.field, entry.old_value, entry.new_value) == ("final", "25", "10")
        assert entry.actor_id == operator
        told = await uow.session.scalars(
            select(OutboxMessage.chat_id).where(OutboxMessage.dedupe_key.like("correction:%"))
        )
        assert sorted(told) == ["u0", "u1"]  # the head (nhnn) and thue, not khobac
    again = await corrections.correct(seeded.bloc_id, operator, "thue", "I.1", "10", "again")
    assert not again.changed


async def test_reopening_undoes_acceptances_and_keeps_changes(app: App) -> None:
    seeded = await seed(app)
    await fill(app, seeded, "thue", I_1="25", I_2="5")
    await review(app, seeded, "thue", "I.1", "25")  # accepted as it was
    await review(app, seeded, "thue", "I.2", "3")
    async with app.uow() as uow:
        season = await uow.seasons.latest(seeded.bloc_id)
        assert season is not None
        ids = {row.code: row.id for row in season.criteria}
        [sheet] = await uow.sheets.for_season(season.id)
        for entry in sheet.entries:
            if entry.criterion_id == ids["I.2"]:
                entry.reviewed_reason = "only 3 documents"
        sheet.review_done_at = app.clock.now()
        await uow.commit()

    contact = seeded.contacts["thue"]
    await app.services.scoring.reopen(seeded.bloc_id, seeded.agencies["thue"], contact)

    async with app.uow() as uow:
        [sheet] = await uow.sheets.for_season(season.id)
        reviewed = {e.criterion_id: e.reviewed_value for e in sheet.entries}
        assert sheet.review_done_at is None
        assert reviewed[ids["I.1"]] is None and reviewed[ids["I.2"]] == 3
        rows = await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.reason == "sheet reopened")
        )
        assert [(a.field, a.old_value, a.new_value) for a in rows] == [("reviewed", "25", None)]
