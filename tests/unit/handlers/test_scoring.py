"""The self-score sheet in the chat, as a contact officer fills it in."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.clock import FrozenClock
from bot.testing.recording import Person, Recording

ALL = [
    "I.1 25", "I.2 9,5", "I.3 5", "II.1 8", "II.2 7", "III.1 10", "IV.1 có", "IV.2 5",
    "V.1 5", "V.2 4.5", "VI.1 5", "VI.2 5", "VII.1 5", "B.1 5", "B.2 3", "D.1 0", "D.2 0",
]  # fmt: skip


@pytest.fixture
async def lan(recording: Recording) -> Person:
    person = recording.person("lan", "Lan", language="en")
    await person.say(f"/start {recording.codes['thue']}")
    return person


async def values(recording: Recording, agency: str = "thue") -> dict[str, Decimal]:
    async with recording.app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        bloc_id, agency_id = bloc.id, next(a.id for a in bloc.agencies if a.code == agency)
    sheet = await recording.app.services.scoring.sheet(bloc_id, agency_id)
    return dict(sheet.values)


async def test_one_criterion_at_a_time_with_comma_or_dot(
    recording: Recording, lan: Person
) -> None:
    opening = await lan.say_text("/score")
    first = await lan.say_text("24,5")
    second = await lan.say_text("9.5")

    assert "I.1 — Hoàn thành các chỉ tiêu, nhiệm vụ chuyên môn năm" in opening
    assert "Maximum: 25" in opening and "not scored yet" in opening
    assert "Saved: I.1 = 24.5" in first and "I.2 —" in first
    assert "I.3 —" in second
    assert await values(recording) == {"I.1": Decimal("24.5"), "I.2": Decimal("9.5")}


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("abc", "'abc' is not a number"),
        ("-3", "cannot be below 0"),
        ("26", "26 is above the maximum of I.1, which is 25"),
        ("8,3", "8.3 is not a multiple of 0.5"),
    ],
)
async def test_bad_input_says_what_is_wrong_and_keeps_everything(
    recording: Recording, lan: Person, typed: str, says: str
) -> None:
    await lan.say("/score")
    await lan.say("I.2 9")

    reply = await lan.say_text(typed)
    after = await lan.say_text("20")

    assert says in reply
    assert "Saved: I.1 = 20" in after
    assert await values(recording) == {"I.1": Decimal(20), "I.2": Decimal(9)}


async def test_several_lines_at_once_keep_the_good_ones(recording: Recording, lan: Person) -> None:
    await lan.say("/score")

    reply = await lan.say_text("I.1 28\nI.2: 9,5\nI.9 3\nII.1 7.5\nIV.1 maybe")

    assert "Saved: I.2 = 9.5, II.1 = 7.5" in reply
    assert "Line 1: 28 is above the maximum of I.1" in reply
    assert "Line 3: there is no criterion I.9" in reply
    assert "Line 5: IV.1 is answered yes or no" in reply
    assert await values(recording) == {"I.2": Decimal("9.5"), "II.1": Decimal("7.5")}


async def test_skip_back_jump_and_yes_no(recording: Recording, lan: Person) -> None:
    await lan.say("/score")
    skipped = await lan.say_text("skip")
    back = await lan.say_text("quay lại")
    jumped = await lan.say_text("nhóm IV")
    await lan.press("Yes")

    assert "I.2 —" in skipped
    assert "I.1 —" in back
    assert "IV.1 —" in jumped and "Answer yes" in jumped
    assert (await values(recording))["IV.1"] == Decimal(5)


async def test_old_buttons_still_act_on_their_own_criterion(
    recording: Recording, lan: Person
) -> None:
    await lan.say("/score")
    await lan.say("25")
    await lan.say("10")

    replies = await lan.send_payload("sc:skip:I.1")

    assert "I.2 —" in replies[-1].text


async def test_note_then_review_and_submit(recording: Recording, lan: Person) -> None:
    await lan.say("/score")
    await lan.say("/note")
    noted = await lan.say_text("Theo báo cáo số 12/BC")
    await lan.say("\n".join(ALL))
    review = lan.dm.received[-1]
    done = await lan.press("Submit the sheet")

    assert "Note saved for I.1" in noted
    assert "Total: 104" in review.text  # 99 + bonus capped at 5 (8 entered) - 0
    assert "Bonus entered 8, counted 5" in review.text
    assert "I. Thực hiện nhiệm vụ chính trị…: 39.5/40" in review.text
    assert "Submitted. Total: 104" in done[-1].text


async def test_submit_refused_while_criteria_are_missing(
    recording: Recording, lan: Person
) -> None:
    await lan.say("/score")
    await lan.say("I.1 20\nI.2 5")

    review = await lan.say_text("review")

    assert "Not scored yet: I.3, II.1" in review
    assert "Submit the sheet" not in [b.label for m in lan.dm.received[-1:] for b in m.rows()]


async def test_reopen_until_the_deadline_then_closed(
    recording: Recording, lan: Person, clock: FrozenClock
) -> None:
    await lan.say("/score")
    await lan.say("\n".join(ALL))
    await lan.press("Submit the sheet")

    again = await lan.say_text("/score")
    await lan.press("Reopen to edit")
    changed = await lan.say_text("I.1 24")
    clock.advance(timedelta(days=30))
    late = await lan.say_text("I.1 23")
    late_score = await lan.say_text("/score")

    assert "was submitted" in again
    assert "Saved: I.1: 25 → 24" in changed
    assert "closed at the deadline" in late and "closed at the deadline" in late_score
    assert (await values(recording))["I.1"] == Decimal(24)


async def test_stale_submit_button_shows_the_current_sheet(
    recording: Recording, lan: Person
) -> None:
    await lan.say("/score")
    await lan.say("\n".join(ALL))
    old_review = lan.dm.received[-1]
    await lan.say("/score I.1")
    await lan.say("20")

    payload = next(b.payload for b in old_review.rows() if b.label == "Submit the sheet")
    replies = await lan.send_payload(payload)

    assert "changed since that review" in replies[0].text


async def test_two_contacts_of_one_agency_keep_each_others_answers(
    recording: Recording, lan: Person
) -> None:
    minh = recording.person("minh", "Minh", language="en")
    await minh.say(f"/start {recording.codes['thue']}")
    await lan.say("/score")
    await minh.say("/score II")

    await lan.say("25")
    await minh.say("8")
    await lan.say("10")
    await minh.say("7")

    assert await values(recording) == {
        "I.1": Decimal(25), "I.2": Decimal(10), "II.1": Decimal(8), "II.2": Decimal(7),
    }  # fmt: skip


async def test_a_second_delivery_of_an_answer_changes_nothing(
    recording: Recording, lan: Person
) -> None:
    from bot.handlers.model import ChatKind, Incoming

    await lan.say("/score")
    update = Incoming("telegram", "dup-1", "lan", ChatKind.PRIVATE, lan.sender, text="20")
    first = await recording.deliver(update)
    second = await recording.deliver(update)

    assert first and not second
    state_reply = await lan.say_text("10")
    assert "Saved: I.2 = 10" in state_reply


async def test_myscore_shows_sheet_and_status(recording: Recording, lan: Person) -> None:
    await lan.say("/score")
    await lan.say("I.1 20")
    reply = await lan.say_text("/myscore")
    assert "I.1: 20/25 · Hoàn thành các chỉ tiêu…" in reply
    assert "being filled in" in reply


async def test_score_is_only_for_linked_people_in_a_direct_chat(recording: Recording) -> None:
    stranger = recording.person("zed", language="en")
    assert "not linked" in await stranger.say_text("/score")
    group = recording.group()
    assert "direct chat" in await stranger.say_text("/score", group)


async def test_resume_after_coming_back(recording: Recording, lan: Person) -> None:
    await lan.say("/score")
    await lan.say("25")
    await lan.say("/cancel")
    reply = await lan.say_text("/chamdiem")
    assert "I.2 —" in reply
