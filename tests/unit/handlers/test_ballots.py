"""/vote in English: the head opens a ballot, members vote and change a vote, the tally."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.domain.ballots import read_receipt
from bot.testing.recording import Person, Recording
from tests.ballot_scan import assert_votes_unlinkable

THUE = "Cục Thuế tỉnh Thái Bình"
KHOBAC = "Kho bạc Nhà nước Thái Bình"
THONGKE = "Cục Thống kê Thái Bình"
RECEIPT = re.compile(r"Receipt: ([A-Z0-9]{4}-[A-Z0-9]{4})")


@dataclass
class Bloc:
    recording: Recording
    people: dict[str, Person]

    def __getitem__(self, name: str) -> Person:
        return self.people[name]


@pytest.fixture
async def bloc(recording: Recording) -> Bloc:
    people = {"hoa": "nhnn", "lan": "thue", "lan2": "thue", "tu": "khobac", "minh": "thongke"}
    people["an"] = "dutru"
    linked = {}
    for user, agency in people.items():
        person = recording.person(user, language="en")
        await person.say(f"/start {recording.codes[agency]}")
        linked[user] = person
    group = recording.group()
    await linked["hoa"].say(f"/linkgroup {recording.group_code}", group)
    return Bloc(recording, linked)


def said(replies: list) -> str:  # type: ignore[type-arg]
    return "\n".join(message.text for message in replies)


async def open_head_election(bloc: Bloc) -> str:
    head = bloc["hoa"]
    asked = said(await head.say("/vote"))
    assert "Which secret ballot do you want to open?" in asked
    slate = said(await head.press("Elect next year's head"))
    assert THUE in slate and "Ngân hàng" not in slate.split("Candidates:")[1]
    question = said(await head.say("+2d"))
    assert "until 12/11/2021 09:00" in question
    return said(await head.press("Open the ballot"))


async def vote(person: Person, name: str) -> str:
    if "Which ballot?" in said(await person.say("/bophieu")):  # the head may open another
        await person.press("Electing the bloc head for 2022")
    confirm = said(await person.press(name))
    assert f"vote for {name}?" in confirm
    return said(await person.press("Cast the vote"))


async def test_a_ballot_in_english_from_opening_to_the_tally(
    bloc: Bloc, clock: FrozenClock
) -> None:
    opened = await open_head_election(bloc)
    assert "is open until 12/11/2021 09:00" in opened

    cast = await vote(bloc["lan"], THONGKE)
    match = RECEIPT.search(cast)
    assert match is not None and f"vote for {THONGKE} is cast" in cast
    receipt = match.group(1)
    tu_receipt = RECEIPT.search(await vote(bloc["tu"], THUE))
    await vote(bloc["minh"], THUE)
    assert tu_receipt is not None

    # thue's second contact: the agency has voted; it changes the vote with the receipt
    await bloc["lan2"].say("/vote")
    asked = said(await bloc["lan2"].press(KHOBAC))
    assert "send the receipt" in asked
    wrong = await bloc["lan2"].say_text("ABCD-EFGH")
    assert "does not match" in wrong
    done = await bloc["lan2"].say_text(receipt.lower())
    assert f"changed from {THONGKE} to {KHOBAC}" in done

    status = await bloc["tu"].say_text("/vote status")
    assert "3 of 8 agencies have voted" in status and "Your agency has voted." in status

    await vote(bloc["hoa"], THUE)
    await vote(bloc["an"], KHOBAC)
    clock.advance(timedelta(days=2))
    assert await bloc.recording.app.close_ballots() == 1
    posts = await bloc.recording.flush_outbox()
    group = [p.text for p in posts if p.chat_id == "-100"]
    assert len(group) == 1
    # The group reads the bloc's language.
    assert f"{THUE}: 3 phiếu" in group[0] and f"{KHOBAC}: 2 phiếu" in group[0]
    assert f"Trúng cử: {THUE}." in group[0]
    assert "5/8 đơn vị thành viên đã bỏ phiếu (0 phiếu trắng)" in group[0]
    assert await bloc.recording.app.close_ballots() == 0
    assert await bloc.recording.flush_outbox() == []

    receipts = [r for r in (read_receipt(receipt), read_receipt(tu_receipt.group(1))) if r]
    await assert_votes_unlinkable(
        bloc.recording.app.engine, receipts, [["khobac"], ["thue"], ["thue"], ["thue"], ["khobac"]]
    )


async def test_members_cannot_open_and_the_head_closes_early(bloc: Bloc) -> None:
    assert "No secret ballot is open" in await bloc["lan"].say_text("/vote")
    await open_head_election(bloc)
    await vote(bloc["tu"], THUE)
    assert "Only the bloc head" in await bloc["lan"].say_text("/vote close")
    await bloc["lan"].say("/vote")
    await bloc["lan"].press(THUE)  # chosen, never cast

    asked = await bloc["hoa"].say("/vote close")
    closed = said(await bloc["hoa"].press(asked[-1].rows()[0].label))
    async with bloc.recording.app.uow() as uow:
        state = await uow.conversations.state("telegram", "lan", "lan")
        assert state is not None and (state.state, state.data) == ("", {})

    assert "The ballot is closed" in closed
    assert "does not count" in closed  # 1 of 8 is no quorum
    assert "No secret ballot is open" in await bloc["lan"].say_text("/vote")


async def test_a_bad_closing_time_says_what_is_accepted(bloc: Bloc) -> None:
    await bloc["hoa"].say("/vote")
    await bloc["hoa"].press("Elect next year's head")

    answer = await bloc["hoa"].say_text("tomorrow")

    assert "is not a closing time" in answer and "20/12/2025 17:00" in answer
