"""/done (/daxong), /attend (/thamdu) and the /meeting place change, as people see them."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.events import EventKind
from bot.testing.recording import Person, Recording
from tests.integration.test_reminders import PLACE, local

TONG_KET = "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2021"


async def linked(recording: Recording) -> tuple[Person, Person, Person]:
    """hoa (the head, nhnn), lan (thue), tu (khobac), in English, and a report due."""
    people = []
    for user, agency in (("hoa", "nhnn"), ("lan", "thue"), ("tu", "khobac")):
        person = recording.person(user, language="en")
        await person.say(f"/start {recording.codes[agency]}")
        people.append(person)
    app = recording.app
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        contact = await uow.contacts.get("telegram", "hoa")
        assert bloc is not None and contact is not None
        bloc_id, contact_id = bloc.id, contact.id
    await app.services.events.create(
        bloc_id,
        contact_id,
        EventKind.DEADLINE,
        "Báo cáo sơ kết",
        local("2021-11-15 17:00"),
        remind_offsets=[timedelta(days=1)],
        closes_scoring=False,
    )
    return people[0], people[1], people[2]


async def test_a_contact_marks_a_report_and_the_head_sees_the_list(recording: Recording) -> None:
    head, lan, tu = await linked(recording)

    first, again = await lan.say_text("/done"), await lan.say_text("/daxong báo cáo")
    assert "Cục Thuế" in first and "not sent → sent (10/11/2021 09:00)" in first
    assert "already marked" in again
    refused = [await tu.say_text(text) for text in ("/done nothing", "/done list")]
    assert "No open deadline matches “nothing”" in refused[0]
    assert "Only the bloc head" in refused[1]

    listed = await head.say_text("/done list")
    assert "“Báo cáo sơ kết”, due 15/11/2021 17:00: 1/8 sent." in listed
    assert "✓ Cục Thuế" in listed and "✗ Kho bạc" in listed

    marked = "\n".join(m.text for m in await head.press("Sent: Kho bạc Nhà nước Thái Bình"))
    assert "Kho bạc Nhà nước Thái Bình not sent → sent" in marked and "2/8 sent." in marked


async def test_a_contact_answers_a_meeting_and_the_head_sees_who_comes(
    recording: Recording,
) -> None:
    head, lan, tu = await linked(recording)

    asked = await lan.say_text("/attend")
    assert f"attend “{TONG_KET}” on 20/12/2021 14:00" in asked and PLACE in asked
    yes = "\n".join(m.text for m in await lan.press("Yes, we come"))
    assert "not answered → comes" in yes and "Who will come?" in yes
    said = await lan.say_text("Lan, phó cục trưởng")
    assert "comes → comes: Lan, phó cục trưởng" in said
    await tu.say("/thamdu")
    assert "not answered → does not come" in "\n".join(m.text for m in await tu.press("No"))

    listed = await head.say_text("/attend list")
    assert "1 coming, 6 not answered, of 8." in listed
    assert "✓ Cục Thuế tỉnh Thái Bình: comes: Lan, phó cục trưởng" in listed
    assert "✗ Kho bạc Nhà nước Thái Bình: does not come" in listed


async def test_the_head_changes_a_meetings_place_from_the_meeting_menu(
    recording: Recording,
) -> None:
    head, _lan, _tu = await linked(recording)

    await head.say("/meeting")
    await head.press("Change a meeting's place")
    asked = "\n".join(m.text for m in await head.press(f"{TONG_KET[:47]}… — 20/12/2021 14:00"))
    assert f"is at: {PLACE}" in asked
    question = await head.say_text("Phòng họp tầng 3")
    assert f"{PLACE} → Phòng họp tầng 3?" in question

    done = "\n".join(m.text for m in await head.press("Confirm"))

    assert f"{PLACE} → Phòng họp tầng 3." in done
    sent = [m.text for m in await recording.flush_outbox()]
    assert any(f"{PLACE} → Phòng họp tầng 3" in text for text in sent)
