"""The review (thẩm định) of submitted sheets: checks, reasons, audit entries, messages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.app import App
from bot.domain.review import ReviewState
from bot.domain.scores import ScoreError
from bot.domain.year import ReviewMode, SeasonRules
from bot.services.review import (
    NoReview,
    NotReviewer,
    NotSubmitted,
    ReasonRequired,
    Reviewer,
)
from bot.storage.models import AuditEntry, OutboxMessage
from tests.integration.test_results_service import Seeded, fill, seed


def head(seeded: Seeded) -> Reviewer:
    return Reviewer(seeded.contacts["nhnn"], "nhnn")


@dataclass(frozen=True)
class Sent:
    contact_id: int | None
    text: str
    dedupe_key: str | None


@dataclass(frozen=True)
class Entry:
    criterion_id: int | None
    old_value: str | None
    new_value: str | None
    reason: str | None


async def outbox(app: App) -> list[Sent]:
    async with app.uow() as uow:
        rows = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [Sent(m.contact_id, m.text, m.dedupe_key) for m in rows]


async def reviewed_entries(app: App, bloc_id: int) -> list[Entry]:
    async with app.uow() as uow:
        query = (
            select(AuditEntry)
            .where(AuditEntry.bloc_id == bloc_id, AuditEntry.field == "reviewed")
            .order_by(AuditEntry.seq)
        )
        rows = await uow.session.scalars(query)
        return [Entry(e.criterion_id, e.old_value, e.new_value, e.reason) for e in rows]


async def set_mode(app: App, bloc_id: int, mode: ReviewMode) -> None:
    async with app.uow() as uow:
        season = await uow.seasons.latest(bloc_id)
        assert season is not None
        season.rules = SeasonRules(review=mode).as_json()
        await uow.commit()


async def test_a_change_with_its_reason_is_audited_and_told_to_the_agency(app: App) -> None:
    seeded = await seed(app)
    await fill(app, seeded, "thue", I_1="25", II_1="8")
    review = app.services.review
    who = head(seeded)
    items = await review.queue(seeded.bloc_id, who)
    states = {item.agency_code: item.state for item in items}
    assert states["thue"] is ReviewState.SUBMITTED
    assert states["khobac"] is ReviewState.NOT_SUBMITTED
    assert "nhnn" not in states  # the head's own sheet goes to the deputies

    with pytest.raises(ReasonRequired):
        await review.change(seeded.bloc_id, who, "thue", "I.1", Decimal(20), None)
    with pytest.raises(ScoreError):
        await review.change(seeded.bloc_id, who, "thue", "I.1", Decimal(26), "too much")
    with pytest.raises(ScoreError):
        await review.change(seeded.bloc_id, who, "thue", "I.1", Decimal("20.3"), "off step")
    assert await reviewed_entries(app, seeded.bloc_id) == []

    change = await review.change(
        seeded.bloc_id, who, "thue", "i.1", Decimal(20), "Chỉ tiêu thu chưa đạt"
    )
    assert (change.code, change.old, change.new) == ("I.1", Decimal(25), Decimal(20))
    assert change.sheet.state is ReviewState.UNDER_REVIEW
    assert change.sheet.totals.total == change.sheet.self_totals.total - 5

    accepted = await review.accept(seeded.bloc_id, who, "thue", "II.1")
    assert accepted.old == accepted.new == Decimal(8)

    entries = await reviewed_entries(app, seeded.bloc_id)
    assert [(e.old_value, e.new_value, e.reason) for e in entries] == [
        (None, "20", "Chỉ tiêu thu chưa đạt"),
        (None, "8", None),
    ]
    messages = [m for m in await outbox(app) if m.contact_id == seeded.contacts["thue"]]
    assert len(messages) == 1  # the change, not the acceptance
    assert "I.1" in messages[0].text and "25 → 20" in messages[0].text
    assert "Chỉ tiêu thu chưa đạt" in messages[0].text


async def test_finishing_accepts_the_rest_and_the_ranking_counts_it(app: App) -> None:
    seeded = await seed(app)
    await fill(app, seeded, "thue", I_1="25", II_1="8")
    await fill(app, seeded, "khobac", I_1="20", II_1="3", III_1="10")
    review, who = app.services.review, head(seeded)
    await review.change(seeded.bloc_id, who, "thue", "I.1", Decimal(10), "Thiếu minh chứng")
    view, accepted = await review.finish(seeded.bloc_id, who, "thue")
    assert view.state is ReviewState.REVIEWED
    assert "I.1" not in accepted and "II.1" in accepted
    assert view.totals.total == Decimal(18)
    again, none = await review.finish(seeded.bloc_id, who, "thue")
    assert none == () and again.totals.total == Decimal(18)

    standings = await app.services.results.standings(seeded.bloc_id)
    assert [p.agency.code for p in standings.placings] == ["khobac", "thue"]
    finished = [m for m in await outbox(app) if "finished" in m.text]
    assert [m.contact_id for m in finished] == [seeded.contacts["thue"]]
    total = (await reviewed_entries(app, seeded.bloc_id))[-1]
    assert (total.criterion_id, total.old_value, total.new_value) == (None, "33", "18")

    # A change after finishing opens the review again.
    change = await review.change(seeded.bloc_id, who, "thue", "I.1", Decimal(12), "Bổ sung")
    assert change.reopened and change.sheet.state is ReviewState.UNDER_REVIEW


async def test_comments_go_to_the_other_side(app: App) -> None:
    seeded = await seed(app)
    await fill(app, seeded, "thue", I_1="25")
    review, who = app.services.review, head(seeded)
    agency = Reviewer(seeded.contacts["thue"], "thue")
    _view, said = await review.comment(seeded.bloc_id, who, "thue", "I.1", "Gửi thêm minh chứng")
    assert said.side == "reviewer"
    view, answer = await review.comment(seeded.bloc_id, agency, "thue", "I.1", "Đã gửi")
    assert answer.side == "agency"
    assert [c.text for c in view.comments["I.1"]] == ["Gửi thêm minh chứng", "Đã gửi"]
    sent = {(m.contact_id, m.text.splitlines()[1]) for m in await outbox(app)}
    assert (seeded.contacts["thue"], "“Gửi thêm minh chứng”") in sent
    assert (seeded.contacts["nhnn"], "“Đã gửi”") in sent
    with pytest.raises(NotReviewer):
        await review.change(seeded.bloc_id, agency, "thue", "I.1", Decimal(25), None)


async def test_only_a_submitted_sheet_is_reviewed(app: App) -> None:
    seeded = await seed(app)
    await fill(app, seeded, "thue", submit=False, I_1="25")
    with pytest.raises(NotSubmitted):
        await app.services.review.open(seeded.bloc_id, head(seeded), "thue")
    await fill(app, seeded, "thue", I_1="25")
    await app.services.review.accept(seeded.bloc_id, head(seeded), "thue", "I.1")
    await app.services.scoring.reopen(
        seeded.bloc_id, seeded.agencies["thue"], seeded.contacts["thue"]
    )
    items = await app.services.review.queue(seeded.bloc_id, head(seeded))
    assert {i.agency_code: i.state for i in items}["thue"] is ReviewState.NOT_SUBMITTED
    with pytest.raises(NotSubmitted):
        await app.services.review.accept(seeded.bloc_id, head(seeded), "thue", "I.2")


async def test_self_mode_has_no_review_and_cross_mode_rotates(app: App) -> None:
    seeded = await seed(app)
    await set_mode(app, seeded.bloc_id, ReviewMode.SELF)
    with pytest.raises(NoReview):
        await app.services.review.queue(seeded.bloc_id, head(seeded))
    await set_mode(app, seeded.bloc_id, ReviewMode.CROSS)
    # The bloc's order: thongke, khobac, thue, dutru, nhnn, bhxh, haiquan, qltt.
    items = await app.services.review.queue(
        seeded.bloc_id, Reviewer(seeded.contacts["thue"], "thue")
    )
    assert [i.agency_code for i in items] == ["dutru"]
    await fill(app, seeded, "khobac", I_1="20")
    with pytest.raises(NotReviewer):
        await app.services.review.open(seeded.bloc_id, head(seeded), "khobac")
    view = await app.services.review.open(seeded.bloc_id, Reviewer(0, "thongke"), "khobac")
    assert view.state is ReviewState.SUBMITTED
