"""/review and /comment as the head and an agency's contact go through them, in English."""

from __future__ import annotations

from bot.domain.year import ReviewMode, SeasonRules
from tests.unit.handlers import test_results
from tests.unit.handlers.test_results import BLOC, THUE, Bloc

bloc = test_results.bloc  # the fixture: the sample bloc with four linked people


async def test_the_head_reviews_a_sheet_and_the_agency_answers(bloc: Bloc) -> None:
    await bloc.fill("thue", "lan", I_1="25", II_1="8")
    head, lan = bloc.head, bloc.lan

    listed = await head.say_text("/review")
    assert f"thue — {THUE}: submitted, to review" in listed
    assert "khobac" in listed and "not submitted yet" in listed

    opened = "\n".join(m.text for m in await head.press("thue · submitted, to review"))
    assert "I.1: 25 ·" in opened and "Reviewed total: 33 (the same as the self-score)." in opened
    assert "Self-score: 25" in opened  # the first criterion is asked

    asked = await head.say_text("20")
    assert "I.1: 25 → 20 needs a reason" in asked
    saved = await head.say_text("Chỉ tiêu thu ngân sách chưa đạt")
    assert "Saved: I.1: 25 → 20." in saved
    assert "The agency's contacts are told of each change and its reason." in saved
    assert "thue · I.2" in saved  # the next criterion

    several = await head.say_text("I.2 accept\nII.1 6 Thiếu hồ sơ\nI.3 9 sai\nII.2 3")
    assert "I.2 accepted (0)" in several and "II.1: 8 → 6" in several
    assert "above the maximum" in several or "I.3" in several.split("Saved")[1]
    assert "II.2: 0 → 3 was not saved: a change needs a reason" in several

    await bloc.recording.flush_outbox()
    told = "\n".join(lan.dm.texts())
    assert "I.1" in told and "25 → 20" in told and "Chỉ tiêu thu ngân sách chưa đạt" in told
    assert "To answer, send /comment I.1 and your text." in told

    answered = await lan.say_text("/comment I.1 Đã gửi bổ sung minh chứng")
    assert answered == "Comment on I.1 sent to the reviewers."
    await bloc.recording.flush_outbox()
    assert any("answers on I.1" in text for text in head.dm.texts())

    asked = await head.say_text("finish")
    assert "Finishing accepts them as the agency gave them." in asked
    finished = "\n".join(m.text for m in await head.press("Finish, accept the rest"))
    assert f"Review of {THUE} finished." in finished
    assert "Reviewed total: 26 (self-score 33, −7)." in finished

    await bloc.recording.flush_outbox()
    assert any("The review of your sheet 2021 is finished." in t for t in lan.dm.texts())


async def test_a_bloc_without_review_says_so(bloc: Bloc) -> None:
    async with bloc.recording.app.uow() as uow:
        found = await uow.blocs.get(BLOC)
        assert found is not None
        season = await uow.seasons.latest(found.id)
        assert season is not None
        season.rules = SeasonRules(review=ReviewMode.SELF).as_json()
        await uow.commit()

    text = await bloc.head.say_text("/review")

    assert text == "This bloc has no review: the self-scores are final."


async def test_a_draft_is_not_reviewed_and_a_member_reviews_nothing(bloc: Bloc) -> None:
    await bloc.fill("thue", "lan", submit=False, I_1="25")

    text = await bloc.head.say_text("/review thue")
    assert "is not submitted" in text
    assert await bloc.lan.say_text("/review") == "You review no sheet in this bloc."
    assert await bloc.lan.say_text("/review khobac") == "You do not review the sheet of khobac."


async def test_a_change_waiting_for_its_reason_is_never_stored_silently(bloc: Bloc) -> None:
    await bloc.fill("thue", "lan", I_1="25", II_1="8")
    head = bloc.head
    await head.say("/review thue")

    assert "needs a reason" in await head.say_text("I.1 20")
    text = await head.say_text("II.1 accept")

    assert "I.1 was not changed: it had no reason." in text
    assert "Saved: II.1 accepted (8)." in text
    opened = await head.say_text("/review thue")
    assert "I.1: 25 ·" in opened and "II.1: 8 ✓" in opened
    assert "Reviewed total: 33" in opened


async def test_the_buttons_keywords_can_be_typed(bloc: Bloc) -> None:
    await bloc.fill("thue", "lan", I_1="25", II_1="8")
    head = bloc.head
    await head.say("/review thue")

    assert "Send your comment on I.1" in await head.say_text("comment")
    assert "sent to the contacts of" in await head.say_text("Xin gửi thêm minh chứng")
    assert "Send the reviewed value of I.1" in await head.say_text("change")
    assert "Saved: I.1: 25 → 24.5." in await head.say_text("24.5 Thiếu một chỉ tiêu")
    assert "thue · I.3" in await head.say_text("skip")
