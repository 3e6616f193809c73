"""/progress, /standings and /announce, as the head, deputies, members and the group see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from bot.clock import FrozenClock
from bot.testing.recording import Chat, Person, Recording

BLOC = "tw-thaibinh"
NHNN = "Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Thái Bình"
THUE = "Cục Thuế tỉnh Thái Bình"
KHOBAC = "Kho bạc Nhà nước Thái Bình"
THONGKE = "Cục Thống kê Thái Bình"
DUTRU = "Cục Dự trữ Nhà nước khu vực Thái Bình"


@dataclass
class Bloc:
    """The sample bloc with four linked people: head, deputy and two members."""

    recording: Recording
    head: Person  # nhnn
    deputy: Person  # thongke
    lan: Person  # thue
    tu: Person  # khobac, speaks Vietnamese
    group: Chat

    async def fill(self, agency: str, by: str, submit: bool = True, **values: str) -> None:
        """Answer every criterion of ``agency`` (0 unless given, ``I_1="25"``) and submit."""
        app = self.recording.app
        async with app.uow() as uow:
            bloc = await uow.blocs.get(BLOC)
            contact = await uow.contacts.get("telegram", by)
            assert bloc is not None and contact is not None
            agency_id = next(a.id for a in bloc.agencies if a.code == agency)
            bloc_id, contact_id = bloc.id, contact.id
        given = {code.replace("_", "."): Decimal(value) for code, value in values.items()}
        sheet = await app.services.scoring.sheet(bloc_id, agency_id)
        codes = [c.code for c in sheet.table.criteria()] if submit else list(given)
        answers = [(code, given.get(code, Decimal(0))) for code in codes]
        await app.services.scoring.answer(bloc_id, agency_id, contact_id, answers)
        if submit:
            await app.services.scoring.submit(bloc_id, agency_id, contact_id)

    async def set_ineligible(self, agency: str, reason: str) -> None:
        async with self.recording.app.uow() as uow:
            bloc = await uow.blocs.get(BLOC)
            assert bloc is not None
            season = await uow.seasons.latest(bloc.id)
            assert season is not None
            member = next(m for m in season.members if m.agency.code == agency)
            member.eligible = False
            member.ineligible_reason = reason
            await uow.commit()

    async def published(self) -> None:
        """The head publishes the provisional results, the outbox is sent, and the time for
        objections (3 days by default) passes."""
        await self.head.say("/announce")
        await self.head.press("Publish")
        await self.recording.flush_outbox()
        clock = self.recording.app.clock
        assert isinstance(clock, FrozenClock)
        clock.advance(timedelta(days=3))

    async def scored(self) -> None:
        """nhnn 35.5, thue 33 and khobac 33 submitted (group I breaks the tie), thongke drafts."""
        await self.fill("nhnn", "hoa", I_1="25", II_1="8", B_1="2.5")
        await self.fill("thue", "lan", I_1="25", II_1="8")
        await self.fill("khobac", "tu", I_1="20", II_1="3", III_1="10")
        await self.fill("thongke", "minh", submit=False, I_1="10")


@pytest.fixture
async def bloc(recording: Recording) -> Bloc:
    people = {
        "hoa": ("nhnn", "en"),
        "minh": ("thongke", "en"),
        "lan": ("thue", "en"),
        "tu": ("khobac", "vi"),
    }
    linked = {}
    for user, (agency, language) in people.items():
        person = recording.person(user, language=language)
        await person.say(f"/start {recording.codes[agency]}")
        linked[user] = person
    group = recording.group()
    await linked["hoa"].say(f"/linkgroup {recording.group_code}", group)
    return Bloc(recording, linked["hoa"], linked["minh"], linked["lan"], linked["tu"], group)


def line_with(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if name in line)


async def test_progress_for_a_member(bloc: Bloc) -> None:
    await bloc.scored()

    text = await bloc.lan.say_text("/tiendo")

    assert "3 of 8 submitted" in text
    assert "10/11/2021 09:00" in line_with(text, THUE)  # 02:00 UTC in Hanoi time
    assert "1/17" in line_with(text, THONGKE)
    assert text.index("Not started") < text.index(DUTRU)
    assert "20/11/2021 17:00" in text and "10 days 8 hours left" in text
    assert "contact" not in text


async def test_progress_for_the_head_counts_contacts(bloc: Bloc) -> None:
    await bloc.scored()

    text = await bloc.head.say_text("/progress")

    assert line_with(text, THUE).endswith(" · Telegram")
    assert "no linked contact" in line_with(text, DUTRU)


async def test_progress_says_when_the_deadline_has_passed(bloc: Bloc, clock: FrozenClock) -> None:
    clock.advance(timedelta(days=11))

    text = await bloc.lan.say_text("/progress")

    assert "has passed" in text


async def test_standings_are_provisional_for_leaders_and_progress_for_members(
    bloc: Bloc,
) -> None:
    await bloc.scored()

    head = await bloc.head.say_text("/standings")
    deputy = await bloc.deputy.say_text("/xephang")
    member = await bloc.lan.say_text("/standings")

    assert head == deputy
    assert "Provisional" in head
    assert f"1. {NHNN} — 35.5" in head
    assert f"2. {THUE} — 33" in head and f"3. {KHOBAC} — 33" in head
    assert "Not ranked" in head and DUTRU in line_with(head, "Not ranked")
    assert "35.5" not in member and "— 33" not in member
    assert "3 of 8 submitted" in member
    assert "visible to the head and deputies" in member


async def test_standings_in_the_group_before_and_after_the_announcement(bloc: Bloc) -> None:
    await bloc.scored()

    before = await bloc.head.say_text("/standings", bloc.group)
    await bloc.published()
    await bloc.head.say("/announce")
    await bloc.head.press("Announce")
    after = await bloc.lan.say_text("/xephang", bloc.group)

    assert f"{NHNN} — 35" not in before and DUTRU in before  # progress only
    assert f"1. {NHNN} — 35,5" in after  # the group speaks the bloc's language
    assert f"2. {THUE} — 33" in after and f"3. {KHOBAC} — 33" in after


async def test_announce_is_refused_for_a_deputy_and_a_member(bloc: Bloc) -> None:
    await bloc.scored()

    deputy = await bloc.deputy.say("/announce")
    member = await bloc.lan.say("/congbo")
    still = await bloc.lan.say_text("/standings")

    assert all(not message.buttons for message in [*deputy, *member])
    assert "/announce" in deputy[0].text
    assert "visible to the head and deputies" in still


async def test_announce_confirmed_posts_to_the_group_and_every_contact(bloc: Bloc) -> None:
    await bloc.scored()

    await bloc.published()
    question = await bloc.head.say("/announce")
    done = await bloc.head.press("Announce")

    assert question[0].menu and len(question[0].rows()) == 2
    assert all(len(b.payload.encode()) < 64 and b.keyword for b in question[0].rows())
    assert "3 of 8" in question[0].text and DUTRU in question[0].text
    assert "1 group" in done[0].text and "4 contacts" in done[0].text
    assert len(done) == 1  # the reply confirms; the results come through the outbox
    queued = await bloc.recording.flush_outbox()
    assert len(queued) == 5  # the group and every contact, the head too
    post = bloc.head.dm.texts()[-1]
    assert post.startswith("Results of the emulation year 2021")
    assert f"Leading unit: {NHNN}" in post
    assert f"1. {NHNN} — 35.5" in post
    assert THUE in line_with(post, "Bằng khen") and KHOBAC in line_with(post, "Bằng khen")
    assert NHNN in line_with(post, "Cờ thi đua")
    group_post = bloc.group.texts()[-1]
    assert f"1. {NHNN} — 35,5" in group_post and NHNN in line_with(group_post, "Cờ thi đua")
    for person, total in ((bloc.deputy, "35.5"), (bloc.lan, "35.5"), (bloc.tu, "35,5")):
        dm = person.dm.texts()[-1]
        assert f"1. {NHNN} — {total}" in dm and KHOBAC in dm
    assert len([t for t in bloc.head.dm.texts() if "Results of the emulation" in t]) == 1


async def test_announce_asks_again_only_before_and_the_button_expires_after(
    bloc: Bloc,
) -> None:
    await bloc.scored()
    await bloc.published()
    await bloc.head.say("/announce")
    await bloc.head.press("Announce")
    received = len(bloc.group.received)

    again = await bloc.head.press("Announce")
    ask = await bloc.head.say_text("/announce")
    old = await bloc.head.send_payload("an:yes:2020")

    assert again == [] and "already announced" in bloc.recording.notices[-2]
    assert "expired" in bloc.recording.notices[-1] and old == []
    assert len(bloc.group.received) == received
    assert "were announced on" in ask


@pytest.mark.parametrize("year", ["²", "２０２１", "9" * 5000, "", "-1"])
async def test_a_button_with_a_year_that_is_not_one_has_expired(bloc: Bloc, year: str) -> None:
    await bloc.scored()

    pressed = await bloc.head.send_payload(f"an:yes:{year}")

    assert pressed == [] and "expired" in bloc.recording.notices[-1]


async def test_announce_by_typing_the_option_number(bloc: Bloc) -> None:
    await bloc.scored()
    await bloc.published()
    await bloc.head.say("/announce")

    asked = await bloc.head.say("what?")
    done = await bloc.head.say("1")
    later = await bloc.head.say("1")

    assert asked[0].menu and "1" in asked[0].text
    assert "announced" in done[0].text
    assert NHNN in (await bloc.recording.flush_outbox())[-1].text
    assert "/help" in later[0].text  # the question is over


async def test_announce_by_typing_the_keyword(bloc: Bloc) -> None:
    await bloc.scored()
    await bloc.head.say("/announce")

    done = await bloc.head.say("Không")

    assert "Nothing was announced" in done[0].text


async def test_announce_cancelled_leaves_the_ranking_provisional(bloc: Bloc) -> None:
    await bloc.scored()
    await bloc.head.say("/announce")

    cancelled = await bloc.head.press("Cancel")
    member = await bloc.lan.say_text("/standings")

    assert "Nothing was announced" in cancelled[0].text and cancelled[0].edit
    assert "visible to the head and deputies" in member


async def test_a_tie_broken_by_group_i_shows_in_the_order(bloc: Bloc) -> None:
    await bloc.fill("khobac", "tu", I_1="20", II_1="3", III_1="10")
    await bloc.fill("thue", "lan", I_1="25", II_1="8")

    text = await bloc.head.say_text("/standings")

    assert text.index(f"1. {THUE} — 33") < text.index(f"2. {KHOBAC} — 33")
    assert line_with(text, f"1. {THUE}").endswith(
        f"(ahead of {KHOBAC}: higher score in group I (25 vs 20))"
    )
    assert line_with(text, f"2. {KHOBAC}").endswith(
        f"(behind {THUE}: lower score in group I (20 vs 25))"
    )
    assert "tie broken" not in text


async def test_a_tie_broken_by_deductions_says_who_has_fewer(bloc: Bloc) -> None:
    await bloc.fill("thue", "lan", I_1="25", II_1="8")
    await bloc.fill("khobac", "tu", I_1="25", II_1="8", III_1="1", D_1="1")

    text = await bloc.head.say_text("/standings")

    assert f"1. {THUE} — 33 (ahead of {KHOBAC}: fewer deduction points (0 vs 1))" in text
    assert f"2. {KHOBAC} — 33 (behind {THUE}: more deduction points (1 vs 0))" in text


async def test_a_tie_broken_by_submission_time_shows_both_times_to_the_second(
    bloc: Bloc, clock: FrozenClock
) -> None:
    await bloc.fill("khobac", "tu", I_1="25", II_1="8")
    clock.advance(timedelta(seconds=7))
    await bloc.fill("thue", "lan", I_1="25", II_1="8")

    text = await bloc.head.say_text("/standings")

    earlier, later = "10/11/2021 09:00:00", "10/11/2021 09:00:07"
    assert f"1. {KHOBAC} — 33 (ahead of {THUE}: submitted earlier ({earlier} vs {later}))" in text
    assert f"2. {THUE} — 33 (behind {KHOBAC}: submitted later ({later} vs {earlier}))" in text
    assert "by earlier submission" not in line_with(text, THUE)


async def test_submission_times_equal_to_the_second_are_shown_finer(
    bloc: Bloc, clock: FrozenClock
) -> None:
    await bloc.fill("khobac", "tu", I_1="25", II_1="8")
    clock.advance(timedelta(milliseconds=250))
    await bloc.fill("thue", "lan", I_1="25", II_1="8")

    text = await bloc.head.say_text("/standings")

    assert "(10/11/2021 09:00:00.000000 vs 10/11/2021 09:00:00.250000)" in line_with(text, KHOBAC)


async def test_the_middle_of_a_three_way_tie_says_both_sides_in_vietnamese(
    bloc: Bloc, clock: FrozenClock
) -> None:
    await bloc.fill("thue", "lan", I_1="25", II_1="8")
    await bloc.fill("khobac", "tu", I_1="20", II_1="8", III_1="5")
    clock.advance(timedelta(minutes=3, seconds=2))
    await bloc.fill("nhnn", "hoa", I_1="20", II_1="8", III_1="5")
    await bloc.published()
    await bloc.head.say("/announce")
    await bloc.head.press("Announce")

    text = await bloc.tu.say_text("/xephang")

    assert f"1. {THUE} — 33 (xếp trên {KHOBAC} do điểm nhóm I cao hơn (25 so với 20))" in text
    assert (
        f"2. {KHOBAC} — 33 (xếp sau {THUE} do điểm nhóm I thấp hơn (20 so với 25); "
        f"xếp trên {NHNN} do nộp sớm hơn (10/11/2021 09:00:00 so với 10/11/2021 09:03:02))"
    ) in text
    assert (
        f"3. {NHNN} — 33 (xếp sau {KHOBAC} do nộp muộn hơn "
        "(10/11/2021 09:03:02 so với 10/11/2021 09:00:00))"
    ) in text


async def test_a_shared_place_above_a_broken_tie_names_every_agency(bloc: Bloc) -> None:
    await bloc.fill("thue", "lan", I_1="25", II_1="8")
    await bloc.fill("khobac", "tu", I_1="25", II_1="8")  # same values, same moment
    await bloc.fill("nhnn", "hoa", I_1="20", II_1="8", III_1="5")

    text = await bloc.head.say_text("/standings")

    assert f"1= {KHOBAC} — 33 (ahead of {NHNN}: higher score in group I (25 vs 20))" in text
    assert f"1= {THUE} — 33 (ahead of {NHNN}: higher score in group I (25 vs 20))" in text
    assert f"3. {NHNN} — 33 (behind {KHOBAC}, {THUE}: lower score in group I (20 vs 25))" in text


async def test_an_unbroken_tie_is_shared(bloc: Bloc) -> None:
    await bloc.fill("nhnn", "hoa", I_1="20")
    await bloc.fill("thue", "lan", I_1="25", II_1="8")
    await bloc.fill("khobac", "tu", I_1="25", II_1="8")  # same values, same moment

    text = await bloc.head.say_text("/standings")

    assert f"1= {KHOBAC} — 33" in text and f"1= {THUE} — 33" in text
    assert f"3. {NHNN} — 20" in text
    assert "(tied: the bloc decides)" in line_with(text, "Leading unit")
    assert KHOBAC in line_with(text, "Tie at rank 1") and THUE in line_with(text, "Tie at rank 1")


async def test_an_ineligible_agency_is_ranked_but_skipped_for_the_flag(bloc: Bloc) -> None:
    await bloc.scored()
    await bloc.set_ineligible("nhnn", "Lãnh đạo bị kỷ luật")
    await bloc.published()
    await bloc.head.say("/announce")

    await bloc.head.press("Announce")
    await bloc.recording.flush_outbox()

    post = bloc.head.dm.texts()[-1]
    assert f"1. {NHNN} — 35.5 (not eligible for awards)" in post
    assert f"Leading unit: {THUE}" in post
    assert THUE in line_with(post, "Cờ thi đua") and NHNN not in line_with(post, "Cờ thi đua")
    assert "Lãnh đạo bị kỷ luật" in line_with(post.split("Not eligible for awards:")[1], NHNN)


async def test_progress_shows_the_head_who_cannot_be_reached(bloc: Bloc) -> None:
    from sqlalchemy import update

    from bot.storage.models import Contact

    async with bloc.recording.app.uow() as uow:
        await uow.session.execute(
            update(Contact)
            .where(Contact.user_id == "lan")
            .values(unreachable_at=bloc.recording.app.clock.now())
        )
        await uow.commit()

    text = await bloc.head.say_text("/progress")

    assert line_with(text, THUE).endswith(" · Telegram (cannot be reached)")


async def test_the_provisional_results_go_to_everyone_and_stay_open_to_objection(
    bloc: Bloc,
) -> None:
    await bloc.scored()

    question = await bloc.head.say_text("/announce")
    done = await bloc.head.press("Publish")
    queued = await bloc.recording.flush_outbox()
    seen_by_member = await bloc.lan.say_text("/standings")
    too_early = await bloc.head.say_text("/announce")

    assert "Publish the provisional results of 2021?" in question
    assert "objections are open until 13/11/2021 09:00" in done[0].text
    assert len(queued) == 5  # the group and every contact
    assert bloc.group.texts()[-1].startswith("Kết quả tạm thời")
    assert seen_by_member.startswith("Provisional results of the emulation year 2021")
    assert "until 13/11/2021 09:00" in seen_by_member and f"1. {NHNN} — 35.5" in seen_by_member
    assert "Send /announce after that time" in too_early


async def test_the_final_results_follow_once_the_time_for_objections_is_over(
    bloc: Bloc,
) -> None:
    await bloc.scored()
    await bloc.published()

    question = await bloc.head.say_text("/announce")
    await bloc.head.press("Announce")
    await bloc.recording.flush_outbox()
    again = await bloc.head.say_text("/announce")

    assert "Announce the final results of 2021?" in question and "cannot be undone" in question
    assert bloc.lan.dm.texts()[-1].startswith("Results of the emulation year 2021")
    assert "were announced on" in again
