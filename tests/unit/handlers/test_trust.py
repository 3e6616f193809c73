"""No number is two things at once, and nothing typed is lost or silently changed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.clock import FrozenClock
from bot.services.scoring import ScoringService
from bot.testing.recording import Person, Recording
from tests.unit.handlers.test_scoring import ALL, values


@pytest.fixture
async def lan(recording: Recording) -> Person:
    person = recording.person("lan", "Lan", language="en")
    await person.say(f"/start {recording.codes['thue']}")
    return person


async def at_review(lan: Person) -> str:
    await lan.say("/score")
    return await lan.say_text("\n".join(ALL))


async def test_a_number_at_the_review_is_no_score_for_the_last_criterion(
    recording: Recording, lan: Person
) -> None:
    review = await at_review(lan)
    before = await values(recording)

    reply = await lan.say_text("3")

    assert "Submit this sheet" in review
    assert "3 was not saved: no criterion is being asked now" in reply
    assert "Please answer with a number from 1 to 2" not in reply
    assert await values(recording) == before


async def test_a_number_out_of_the_menu_is_refused_not_stored(
    recording: Recording, lan: Person
) -> None:
    await at_review(lan)
    before = await values(recording)

    reply = await lan.say_text("2,5")

    assert "2,5 was not saved" in reply
    assert await values(recording) == before


async def test_where_buttons_are_shown_a_number_is_no_menu_choice(
    recording: Recording, lan: Person
) -> None:
    recording.buttons_shown = True
    await at_review(lan)

    reply = await lan.say_text("1")
    sheet = await lan.say_text("/myscore")

    assert "1 was not saved: no criterion is being asked now" in reply
    assert "Submitted" not in reply
    assert "being filled in" in sheet


async def test_a_numbered_choice_still_works_where_numbers_are_shown(
    recording: Recording, lan: Person
) -> None:
    await at_review(lan)

    reply = await lan.say_text("1")

    assert "Submitted. Total: 104" in reply


async def test_a_replaced_value_shows_the_old_and_the_new(
    recording: Recording, lan: Person
) -> None:
    await at_review(lan)

    reply = await lan.say_text("D.2 1")
    again = await lan.say_text("D.2 1")

    assert "Saved: D.2: 0 → 1." in reply
    assert "D.2 = 1 (unchanged)" in again


async def test_a_resent_answer_is_recognised_as_a_repeat(
    recording: Recording, lan: Person
) -> None:
    await lan.say("/score")
    first = await lan.say_text("20")  # I.1; the reply asks for I.2
    resent = await lan.say_text("20")  # the same again: meant for I.1, not for I.2 (max 10)
    await lan.say("/score I.3")
    await lan.say("4")  # I.3 = 4, now at II.1
    repeat = await lan.say_text("4")  # could be II.1 = 4: ask
    saved = await lan.press("Save 4 for II.1")

    assert "Saved: I.1 = 20" in first
    assert "20 is above the maximum of I.2" in resent or "20 was just saved" in resent
    assert "4 was just saved for I.3; nothing changed. Is 4 also the score of II.1?" in repeat
    assert "Saved: II.1 = 4" in saved[-1].text
    assert await values(recording) == {
        "I.1": Decimal(20),
        "I.3": Decimal(4),
        "II.1": Decimal(4),
    }


async def test_a_reply_to_a_prompt_answers_that_prompt(recording: Recording, lan: Person) -> None:
    await lan.say("/score")
    prompt_i1 = lan.dm.received[-1]
    await lan.say("20")  # now at I.2

    reply = await lan.reply_to(prompt_i1, "21")

    assert "Saved: I.1: 20 → 21" in reply[-1].text
    assert await values(recording) == {"I.1": Decimal(21)}


async def test_forged_buttons_get_a_notice_not_a_value(recording: Recording, lan: Person) -> None:
    await lan.say("/score")

    for payload in ("sc", "sc:", "sc:yes:I.1", "sc:put:I.1:99", "sc:put:I.1:²", "sc:yes:²"):
        await lan.send_payload(payload)

    assert await values(recording) == {}
    assert recording.notices.count("This button has expired.") == 6
    assert not any("Sorry" in text for text in lan.dm.texts())


async def test_a_sheet_button_in_the_group_opens_nothing_there(
    recording: Recording, lan: Person
) -> None:
    group = recording.group()

    replies = await lan.send_payload("sc:skip:I.1", group)

    assert replies == []
    assert "direct chat" in recording.notices[-1]


async def test_a_note_with_a_nul_character_is_kept_without_it(
    recording: Recording, lan: Person
) -> None:
    await lan.say("/score")
    await lan.say("/note")

    noted = await lan.say_text("ab\x00cd")
    after = await lan.say_text("I.1 5")

    assert "Note saved for I.1" in noted and "Note: abcd" in noted
    assert "Saved: I.1 = 5" in after


async def test_a_failed_answer_takes_its_question_with_it(
    recording: Recording, lan: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    await lan.say("/score")
    await lan.say("/note")

    async def broken(*_args: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ScoringService, "note", broken)
    failed = await lan.say_text("Theo báo cáo số 12")
    monkeypatch.undo()
    after = await lan.say_text("I.1 5")

    assert "your last message was not saved" in failed
    assert "Saved: I.1 = 5" in after
    assert await values(recording) == {"I.1": Decimal(5)}


async def test_after_cancel_an_old_review_button_then_note_is_answered(
    recording: Recording, lan: Person
) -> None:
    await at_review(lan)
    cancelled = await lan.say_text("/cancel")
    await lan.send_payload("sc:review")

    reply = await lan.say_text("ghi chú")

    assert "scores you entered are saved; the sheet was not submitted" in cancelled
    assert "Notes belong to a criterion" in reply


async def test_many_bad_lines_keep_the_good_ones_and_the_reply_stays_short(
    recording: Recording, lan: Person
) -> None:
    await lan.say("/score")
    bad = ["x" * 3000] + [f"Z.{n} 1" for n in range(60)] + ["I.1 " + "9" * 40]

    reply = await lan.say_text("\n".join(["I.2 5", *bad, "I.3 4"]))

    assert "Saved: I.2 = 5, I.3 = 4" in reply
    assert "more lines that could not be read" in reply
    assert len(reply) < 2000
    assert await values(recording) == {"I.2": Decimal(5), "I.3": Decimal(4)}


async def test_another_agencys_code_asks_before_moving(recording: Recording, lan: Person) -> None:
    asked = await lan.say_text(f"/start {recording.codes['khobac']}")
    stayed = await lan.press("Stay")
    await lan.say(f"/start {recording.codes['khobac']}")
    moved = await lan.press("Move to Kho bạc Nhà nước Thái Bình")

    assert "You speak for Cục Thuế tỉnh Thái Bình" in asked
    assert "Move to Kho bạc Nhà nước Thái Bình?" in asked
    assert "you still speak for Cục Thuế tỉnh Thái Bình" in stayed[-1].text
    assert "Kho bạc Nhà nước Thái Bình" in moved[-1].text


async def test_help_lists_only_what_the_person_may_use(recording: Recording, lan: Person) -> None:
    stranger = recording.person("x", "X", language="en")

    linked = await lan.say_text("/help")
    unlinked = await stranger.say_text("/help")

    assert "/linkgroup" not in linked and "/start" not in linked
    assert "/start" in unlinked and "/linkgroup" not in unlinked


async def test_the_opening_example_is_valid_for_the_criterion(
    recording: Recording, lan: Person
) -> None:
    opening = await lan.say_text("/score")

    assert "“I.1 24.5”" in opening


async def test_a_resent_value_that_the_next_criterion_refuses_is_still_a_repeat(
    recording: Recording, lan: Person
) -> None:
    await lan.say("/score")
    await lan.say("20")  # I.1 = 20; I.2 (max 10) is asked, but the reply was lost

    resent = await lan.say_text("20")

    assert "20 was just saved for I.1; nothing changed." in resent
    assert "above the maximum" not in resent and "I.2 —" in resent


async def test_a_lost_repeat_question_is_asked_again(recording: Recording, lan: Person) -> None:
    await lan.say("/score I.3")
    await lan.say("4")  # I.3 = 4; now II.1
    first = await lan.say_text("4")  # the question; suppose it was lost

    again = await lan.say_text("4")

    assert "Is 4 also the score of II.1?" in first
    assert "Is 4 also the score of II.1?" in again
    assert await values(recording) == {"I.3": Decimal(4)}


async def test_a_repeat_of_a_small_value_is_never_read_as_a_menu_choice(
    recording: Recording, lan: Person
) -> None:
    await lan.say("/score I.3")
    await lan.say("2")  # I.3 = 2; now II.1
    await lan.say("2")  # the question
    again = await lan.say_text("2")  # not "option 2"
    saved = await lan.say_text("lưu")

    assert "Is 2 also the score of II.1?" in again
    assert "Saved: II.1 = 2" in saved
    assert await values(recording) == {"I.3": Decimal(2), "II.1": Decimal(2)}


async def test_the_same_value_after_the_bot_spoke_is_an_answer_not_a_repeat(
    recording: Recording, lan: Person, clock: FrozenClock
) -> None:
    await lan.say("/score I.3")
    await lan.say_numbered("4", 10)  # I.3 = 4; the bot's reply is message 11
    clock.advance(timedelta(seconds=8))
    answered = await lan.say_numbered("4", 12)  # sent after reading that reply: for II.1
    clock.advance(timedelta(seconds=8))
    await lan.say_numbered("4", 14)  # II.2 = 4; the reply to it never arrived
    clock.advance(timedelta(seconds=30))
    resent = await lan.say_numbered("4", 15)  # nothing from the bot in between: a re-send

    assert "Saved: II.1 = 4" in answered[-1].text
    assert "4 was just saved for II.2" in resent[-1].text
    assert await values(recording) == {"I.3": Decimal(4), "II.1": Decimal(4), "II.2": Decimal(4)}


async def test_a_resend_that_crossed_the_prompt_is_still_a_repeat(
    recording: Recording, lan: Person, clock: FrozenClock
) -> None:
    await lan.say("/score I.3")
    await lan.say_numbered("4", 10)  # I.3 = 4; the reply (message 11) came late
    clock.advance(timedelta(seconds=1))
    crossed = await lan.say_numbered("4", 12)  # typed before that reply showed

    assert "4 was just saved for I.3" in crossed[-1].text
    assert await values(recording) == {"I.3": Decimal(4)}


async def test_english_help_has_no_vietnamese_aliases(recording: Recording, lan: Person) -> None:
    english = await lan.say_text("/help")
    await lan.say("/lang vi")
    vietnamese = await lan.say_text("/help")

    assert "/chamdiem" not in english and "/score —" in english
    assert "/score (/chamdiem)" in vietnamese


async def test_a_reply_to_a_prompt_answers_it_even_at_the_review(
    recording: Recording, lan: Person
) -> None:
    recording.buttons_shown = True
    await lan.say("/score")
    prompt_i1 = lan.dm.received[-1]
    await lan.say("\n".join(ALL))  # the review is the question now

    reply = await lan.reply_to(prompt_i1, "21")

    assert "Saved: I.1: 25 → 21" in reply[-1].text
    assert (await values(recording))["I.1"] == Decimal(21)
