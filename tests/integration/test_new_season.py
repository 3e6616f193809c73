"""The next season on the services: copied from the last one, led by who the bloc elected."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from bot.blocfile import parse_bloc
from bot.clock import FrozenClock
from bot.domain.ballots import BallotKind
from bot.domain.year import SeasonRules
from bot.services.seasons import Refusal, SeasonRefused
from bot.storage.models import AuditEntry, OutboxMessage
from tests.integration.test_ballots import VOTERS, Seeded, seed
from tests.unit.blocfile_cases import dump, sample_data

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


async def elect(app: App, seeded: Seeded, kind: BallotKind, pick: tuple[str, ...]) -> int:
    """Hold a ballot of ``kind`` in the sample bloc where every voter picks ``pick``."""
    contact, bloc_id, agencies = seeded.contacts["nhnn"], seeded.bloc_id, seeded.agencies
    ballots = app.services.ballots
    ballot = await ballots.open(bloc_id, contact, kind, app.clock.now() + timedelta(days=1))
    for code in VOTERS:
        await ballots.cast(bloc_id, ballot.id, agencies[code], pick)
    closed = await ballots.close(bloc_id, ballot.id, contact)
    assert closed.tally is not None and closed.tally.winners == pick
    return ballot.id


async def test_the_elected_head_and_deputies_lead_the_copied_season(
    app: App, clock: FrozenClock
) -> None:
    seeded = await seed(app)
    head_ballot = await elect(app, seeded, BallotKind.HEAD, ("thue",))
    deputy_ballot = await elect(app, seeded, BallotKind.DEPUTIES, ("khobac",))

    plan = await app.seasons.plan("tw-thaibinh", 2022)
    done = await app.seasons.new_season("tw-thaibinh", 2022, actor=seeded.contacts["nhnn"])

    assert plan.head == done.head and plan.events == done.events
    assert [ref.code for ref in done.head.agencies] == ["thue"]
    assert done.head.ballot_id == head_ballot and done.deputies.ballot_id == deputy_ballot
    assert [ref.code for ref in done.deputies.agencies] == ["khobac"]
    assert (done.year, done.last_year, done.criteria, done.awards) == (2022, 2021, 17, 2)
    async with app.uow() as uow:
        old = await uow.seasons.get(seeded.bloc_id, 2021)
        new = await uow.seasons.latest(seeded.bloc_id)
        assert old is not None and new is not None and new.year == 2022
        roles = {m.agency.code: m.role for m in new.members}
        assert roles["thue"] == "head" and roles["khobac"] == "deputy"
        assert roles["nhnn"] == roles["thongke"] == "member" and len(roles) == 8
        assert [(c.code, c.title, c.max, c.kind, c.group.code) for c in new.criteria] == [
            (c.code, c.title, c.max, c.kind, c.group.code) for c in old.criteria
        ]
        assert (new.step, new.tie_break, new.awards) == (old.step, old.tie_break, old.awards)
        for before, after in zip(old.events, new.events, strict=True):
            was, now = before.at.astimezone(ZONE), after.at.astimezone(ZONE)
            assert (now.year, now.month, now.day, now.time()) == (
                was.year + 1, was.month, was.day, was.time(),
            )  # fmt: skip
            assert (after.code, after.remind, after.closes_scoring) == (
                before.code, before.remind, before.closes_scoring,
            )  # fmt: skip
        entry = (
            await uow.session.scalars(select(AuditEntry).where(AuditEntry.field == "season"))
        ).one()
        assert (entry.old_value, entry.new_value, entry.season_id) == ("2021", "2022", new.id)
        assert entry.reason == (
            f"head thue from ballot {head_ballot}; deputies khobac from ballot {deputy_ballot}"
        )
        told = await uow.session.scalars(
            select(OutboxMessage.chat_id).where(OutboxMessage.dedupe_key.like("season:%"))
        )
        assert set(told) == {"g1", *(f"u{n}" for n in range(6))} and done.told == 7
    assert await app.seasons.years(seeded.bloc_id) == [2021, 2022]
    old_standings = await app.services.results.standings(seeded.bloc_id, 2021)
    assert old_standings.progress.season_year == 2021
    assert (await app.services.results.standings(seeded.bloc_id)).progress.season_year == 2022


async def test_without_a_ballot_the_head_and_deputies_must_be_given(app: App) -> None:
    data = sample_data()
    data["season"]["ineligible"] = [{"agency": "bhxh", "reason": "kỷ luật"}]
    await app.blocs.import_bloc(parse_bloc(dump(data)))
    seasons = app.seasons

    with pytest.raises(SeasonRefused) as missing:
        await seasons.new_season("tw-thaibinh", 2022)
    assert missing.value.reason is Refusal.MISSING
    assert missing.value.missing == ("head", "deputies")
    with pytest.raises(SeasonRefused) as exists:
        await seasons.new_season("tw-thaibinh", 2021, head="thue")
    assert exists.value.reason is Refusal.NOT_AFTER and exists.value.years == (2021,)
    with pytest.raises(SeasonRefused) as unknown:
        await seasons.new_season("tw-thaibinh", 2022, head="thuee", deputies=["nhnn"])
    assert unknown.value.reason is Refusal.UNKNOWN_AGENCY and unknown.value.code == "thuee"
    with pytest.raises(SeasonRefused) as both:
        await seasons.new_season("tw-thaibinh", 2022, head="thue", deputies=["thue"])
    assert both.value.reason is Refusal.HEAD_IS_DEPUTY
    with pytest.raises(SeasonRefused) as no_bloc:
        await seasons.new_season("nope", 2022, head="thue")
    assert no_bloc.value.reason is Refusal.UNKNOWN_BLOC

    done = await seasons.new_season("tw-thaibinh", 2023, head="thue", deputies=["nhnn", "bhxh"])

    assert done.head.ballot_id is None and done.deputies.ballot_id is None
    assert [ref.code for ref in done.deputies.agencies] == ["nhnn", "bhxh"]
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        new = await uow.seasons.latest(bloc.id)
        assert new is not None and new.year == 2023
        assert SeasonRules.from_json(new.rules).ineligible == ()  # eligibility is the year's
        assert all(m.eligible is not False for m in new.members)
        first = min(new.events, key=lambda e: e.at).at.astimezone(ZONE)
        assert (first.year, first.month, first.day, first.hour) == (2023, 3, 31, 14)
    with pytest.raises(SeasonRefused) as earlier:
        await seasons.new_season("tw-thaibinh", 2022, head="thue")
    assert earlier.value.reason is Refusal.NOT_AFTER and earlier.value.years == (2021, 2023)
