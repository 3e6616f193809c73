"""/members, /newcode and /bloc: the head's view of the bloc's contacts, and an operator who
belongs to no agency choosing the bloc to act on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.testing.recording import Person, Recording

BLOC = "tw-thaibinh"
THUE = "Cục Thuế tỉnh Thái Bình"


@pytest.fixture
async def people(recording: Recording) -> dict[str, Person]:
    """hoa heads the bloc (nhnn), lan is a contact of thue; op is an operator of no agency."""
    linked = {}
    for user, agency in (("hoa", "nhnn"), ("lan", "thue")):
        person = recording.person(user, name=user.title(), language="en")
        await person.say(f"/start {recording.codes[agency]}")
        linked[user] = person
    linked["op"] = recording.person("op", name="Operator", language="en")
    return linked


async def test_an_operator_chooses_the_bloc_and_acts_on_it(
    recording: Recording, people: dict[str, Person]
) -> None:
    op = people["op"]

    assert "/bloc CODE" in await op.say_text("/progress")
    listed = await op.say_text("/bloc")
    assert "You act on no bloc yet." in listed and BLOC in listed
    assert "You now act on tw-thaibinh" in await op.say_text(f"/khoi {BLOC}")

    progress = await op.say_text("/progress")
    assert progress.startswith(f"Bloc {BLOC}:") and "of 8 submitted" in progress
    assert (await op.say_text("/standings")).startswith(f"Bloc {BLOC}:")
    assert f"You act on {BLOC}" in await op.say_text("/bloc")


async def test_the_choice_survives_a_dialog_and_cancel(
    recording: Recording, people: dict[str, Person]
) -> None:
    op = people["op"]
    await op.say(f"/bloc {BLOC}")
    await op.say("/members remove 1")  # a question is open
    await op.say("/cancel")

    assert (await op.say_text("/progress")).startswith(f"Bloc {BLOC}:")


async def test_members_lists_and_the_head_unlinks_a_contact(
    recording: Recording, people: dict[str, Person], clock: FrozenClock
) -> None:
    head, lan = people["hoa"], people["lan"]
    clock.advance(timedelta(days=3))
    await head.say("/help")

    roster = await head.say_text("/thanhvien")
    lan_line = next(line for line in roster.splitlines() if "Lan" in line)
    assert lan_line.strip().startswith("1. Lan — Telegram, linked 10/11/2021 09:00")
    assert lan_line.endswith("last seen 3 days ago")
    assert "Hoa" in roster and "last seen today" in roster
    assert "/members remove NUMBER" in roster

    question = await head.say_text("/members remove 1")
    assert "Unlink Lan (Telegram) from " + THUE in question
    done = await head.press("Unlink")
    assert f"Lan is no longer linked to {THUE}" in done[0].text
    assert "You are no longer linked to " + THUE in lan.dm.received[-1].text
    assert "Lan" not in await head.say_text("/members")
    assert "You are not linked" in await lan.say_text("/score")


async def test_nobody_unlinks_themself_and_a_member_cannot_list(
    recording: Recording, people: dict[str, Person]
) -> None:
    head = people["hoa"]
    assert "You cannot unlink yourself" in await head.say_text("/members remove 2")
    assert "There is no contact number 9" in await head.say_text("/members remove 9")
    assert "Only the bloc head, deputies or operators" in await people["lan"].say_text("/members")


async def test_newcode_replaces_one_agency_code(
    recording: Recording, people: dict[str, Person]
) -> None:
    head = people["hoa"]
    old = recording.codes["thongke"]

    text = await head.say_text("/mamoi thongke")

    code = text.splitlines()[0].rsplit(" ", 1)[-1]
    assert f"The old code {old} no longer works." in text
    assert f"https://t.me/blocbot_bot?start={code}" in text
    newcomer = recording.person("minh", language="en")
    assert "not right" in await newcomer.say_text(f"/start {old}")
    assert recording.codes["thue"] != code
    other = recording.person("an", language="en")
    welcome = await other.say_text(f"/start {code}")
    assert "Thống kê" in welcome
    assert "agency's code" in await head.say_text("/newcode")
    assert "No agency of the bloc has the code xyz" in await head.say_text("/newcode xyz")
