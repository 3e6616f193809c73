"""A secret ballot end to end on the services: open, vote, change, close on time, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.blocfile import load_bloc_file
from bot.clock import FrozenClock
from bot.domain.ballots import BallotKind, read_receipt
from bot.services.ballots import CLOSED, VOTED, WRONG_RECEIPT, BallotRefused
from bot.storage.models import Contact, GroupLink, Membership, OutboxMessage
from tests.ballot_scan import assert_votes_unlinkable
from tests.conftest import SAMPLE
from tests.integration.test_results_service import Seeded as ResultsSeeded
from tests.integration.test_results_service import fill

VOTERS = ("nhnn", "thue", "khobac", "thongke", "dutru")


@dataclass
class Seeded:
    bloc_id: int
    agencies: dict[str, int]
    contacts: dict[str, int]


async def seed(app: App) -> Seeded:
    """The sample bloc, one contact for each voter (two for thue), a linked group."""
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    now = app.clock.now()
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        agencies = {agency.code: agency.id for agency in bloc.agencies}
        contacts = {}
        for number, code in enumerate((*VOTERS, "thue")):
            contact = Contact(platform="telegram", user_id=f"u{number}", created_at=now)
            uow.contacts.add(contact)
            await uow.session.flush()
            uow.contacts.link(
                Membership(
                    contact_id=contact.id, bloc_id=bloc.id, agency_id=agencies[code], linked_at=now
                )
            )
            contacts.setdefault(code, contact.id)
        uow.groups.add(GroupLink(bloc_id=bloc.id, platform="zalo", chat_id="g1", linked_at=now))
        await uow.commit()
        return Seeded(bloc.id, agencies, contacts)


async def tally_posts(app: App, ballot_id: int) -> dict[str, str]:
    """The tally posts in the outbox: chat id -> text."""
    async with app.uow() as uow:
        query = select(OutboxMessage.chat_id, OutboxMessage.text).where(
            OutboxMessage.dedupe_key.like(f"ballot:{ballot_id}:%")
        )
        return {chat_id: text for chat_id, text in await uow.session.execute(query)}


async def test_a_ballot_is_voted_changed_closed_on_time_and_posted_once(
    app: App, clock: FrozenClock
) -> None:
    seeded = await seed(app)
    ballots = app.services.ballots
    head = seeded.contacts["nhnn"]
    closes = clock.now() + timedelta(hours=24)
    ballot = await ballots.open(seeded.bloc_id, head, BallotKind.HEAD, closes)
    assert "nhnn" not in ballot.slate.candidates  # the head does not repeat
    with pytest.raises(BallotRefused) as again:
        await ballots.open(seeded.bloc_id, head, BallotKind.HEAD, closes)
    assert again.value.reason == "already_open"

    picks = {"nhnn": ("thue",), "thue": ("thue",), "khobac": ("khobac",), "thongke": ("thue",)}
    picks["dutru"] = ()  # a blank vote
    receipts = {}
    for code in VOTERS:
        cast = await ballots.cast(seeded.bloc_id, ballot.id, seeded.agencies[code], picks[code])
        assert cast.receipt is not None and read_receipt(cast.receipt) == cast.receipt
        receipts[code] = cast.receipt
    with pytest.raises(BallotRefused) as twice:  # thue's second contact: the agency voted
        await ballots.cast(seeded.bloc_id, ballot.id, seeded.agencies["thue"], ("khobac",))
    assert twice.value.reason == VOTED
    with pytest.raises(BallotRefused) as wrong:
        await ballots.cast(
            seeded.bloc_id, ballot.id, seeded.agencies["khobac"], ("thue",), receipts["thue"][::-1]
        )
    assert wrong.value.reason == WRONG_RECEIPT
    changed = await ballots.cast(
        seeded.bloc_id, ballot.id, seeded.agencies["khobac"], ("thue",), receipts["khobac"]
    )
    assert (changed.before, changed.receipt) == (("khobac",), None)
    picks["khobac"] = ("thue",)
    [open_now] = await ballots.open_ballots(seeded.bloc_id)
    assert (open_now.voted, open_now.entitled) == (5, 8)

    clock.advance(timedelta(hours=24))
    with pytest.raises(BallotRefused) as late:  # the time is up, even before the job runs
        await ballots.cast(seeded.bloc_id, ballot.id, seeded.agencies["bhxh"], ("thue",))
    assert late.value.reason == CLOSED
    assert await app.close_ballots() == 1
    posts = await tally_posts(app, ballot.id)
    assert await app.close_ballots() == 0  # run twice, closed and posted once
    assert len(await tally_posts(app, ballot.id)) == len(posts) > 0
    assert set(posts) == {"g1", *(f"u{n}" for n in range(6))}
    closed = await ballots.ballot(seeded.bloc_id, ballot.id)
    assert closed is not None and closed.tally is not None
    assert closed.closed_at == clock.now()
    assert (closed.tally.voted, closed.tally.blank, closed.tally.valid) == (5, 1, True)
    assert dict(closed.tally.counts)["thue"] == 4 and closed.tally.winners == ("thue",)
    assert "Cục Thuế tỉnh Thái Bình: 4" in posts["g1"]

    await assert_votes_unlinkable(
        app.engine, list(receipts.values()), [list(choice) for choice in picks.values()]
    )


async def test_the_head_closes_early_and_a_quorum_missed_elects_nobody(app: App) -> None:
    seeded = await seed(app)
    ballots = app.services.ballots
    head = seeded.contacts["nhnn"]
    ballot = await ballots.open(
        seeded.bloc_id, head, BallotKind.DEPUTIES, app.clock.now() + timedelta(days=1)
    )
    for code in ("thue", "khobac"):
        await ballots.cast(seeded.bloc_id, ballot.id, seeded.agencies[code], ("thue",))

    closed = await ballots.close(seeded.bloc_id, ballot.id, head)

    assert closed.tally is not None and not closed.tally.valid and closed.tally.winners == ()
    assert await app.close_ballots() == 0
    with pytest.raises(BallotRefused):
        await ballots.close(seeded.bloc_id, ballot.id, head)


async def test_acclamations_take_their_candidates_from_the_ranking(app: App) -> None:
    seeded = await seed(app)
    ballots = app.services.ballots
    with pytest.raises(BallotRefused) as empty:  # no sheet submitted: nothing to acclaim
        await ballots.slate(seeded.bloc_id, BallotKind.FLAG)
    assert empty.value.reason == "no_candidates"
    for code, points in (("thue", "25"), ("khobac", "20"), ("thongke", "20"), ("nhnn", "10")):
        results = ResultsSeeded(seeded.bloc_id, seeded.agencies, seeded.contacts)
        await fill(app, results, code, I_1=points, I_2="0", I_3="0")

    flag = await ballots.slate(seeded.bloc_id, BallotKind.FLAG)
    certificates = await ballots.slate(seeded.bloc_id, BallotKind.CERTIFICATES)

    assert [ref.code for ref in flag.candidates] == ["thue"] and flag.seats == 1
    assert flag.title == "Cờ thi đua của UBND tỉnh"
    assert [ref.code for ref in certificates.candidates][:1] == ["khobac"]
    assert {ref.code for ref in certificates.candidates} >= {"khobac", "thongke"}
