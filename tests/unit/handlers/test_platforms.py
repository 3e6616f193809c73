"""People on Telegram and on Zalo: the code alone links, and /progress says who is where."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.handlers.start import is_invite_code
from bot.storage.models import Contact
from bot.testing.recording import Person, Recording

THUE = "Cục Thuế tỉnh Thái Bình"
KHOBAC = "Kho bạc Nhà nước Thái Bình"
DUTRU = "Cục Dự trữ Nhà nước khu vực Thái Bình"
ZALO_ID = "6ede9afa66b88fe6d6a9"  # Zalo user ids are strings of hex digits


@pytest.fixture
def zalo(recording: Recording) -> Recording:
    """The same bot and bloc, reached on Zalo: no deep links, string ids."""
    channel = Recording(recording.app, platform="zalo", bot_username="")
    channel.codes, channel.group_code = recording.codes, recording.group_code
    return channel


def dashed(code: str) -> str:
    """A code as a person might copy it from a printed list: ``acde-3467-fghj``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4)).lower()


def line_with(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if name in line)


async def blocked(recording: Recording, platform: str, user_id: str) -> None:
    """Mark a contact as one the bot cannot reach (they blocked it)."""
    async with recording.app.uow() as uow:
        await uow.session.execute(
            update(Contact)
            .where(Contact.platform == platform, Contact.user_id == user_id)
            .values(unreachable_at=recording.app.clock.now())
        )
        await uow.commit()


def test_what_reads_as_an_invite_code() -> None:
    assert is_invite_code("ACDE3467FGHJ")
    assert is_invite_code(" acde-3467-fghj ") and is_invite_code("ACDE 3467 FGHJ")
    assert not is_invite_code("ACDE3467FGH")  # one short
    assert not is_invite_code("ACDE3467FGHJK")  # one too many
    assert not is_invite_code("ACDE3467FGHO")  # O is not in the alphabet
    assert not is_invite_code("xin chào") and not is_invite_code("")


async def test_a_zalo_person_sending_only_the_code_is_linked_and_greeted(zalo: Recording) -> None:
    lan = zalo.person(ZALO_ID, "Lan")

    reply = await lan.say_text(zalo.codes["thue"])

    assert THUE in reply and "đơn vị thành viên" in reply and "/score" in reply
    person = await zalo.app.services.people.person("zalo", ZALO_ID)
    assert person is not None and person.link is not None
    assert person.link.agency_name == THUE
    assert "/score" in await lan.say_text("/help")


async def test_a_code_with_dashes_and_lower_case_links_too(zalo: Recording) -> None:
    reply = await zalo.person(ZALO_ID).say_text(dashed(zalo.codes["khobac"]))

    assert KHOBAC in reply and "Xin chào" in reply


async def test_a_wrong_or_a_group_code_alone_gets_the_refusals_of_start(
    zalo: Recording,
) -> None:
    eve = zalo.person("eve", language="en")

    wrong = await eve.say_text("AAAA-AAAA-AAAA")
    group = await eve.say_text(zalo.group_code)

    assert "The invite code is not right" in wrong
    assert "the group code with /linkgroup" in group


async def test_an_unlinked_persons_hello_gets_the_how_to_link_welcome(
    recording: Recording, zalo: Recording
) -> None:
    on_zalo = zalo.person(ZALO_ID, language="en")
    on_telegram = recording.person("x", language="en")

    hello = await on_zalo.say_text("xin chào")
    start = await on_telegram.say_text("/start")

    assert hello == start
    assert "send the invite code your bloc head gave you" in hello
    assert "/help" not in hello


async def test_a_linked_persons_plain_text_is_answered_as_before(zalo: Recording) -> None:
    lan = zalo.person(ZALO_ID, language="en")
    await lan.say(zalo.codes["thue"])

    reply = await lan.say_text("xin chào")

    assert reply == "Send /help to see what I can do."


async def test_another_agencys_code_alone_asks_before_moving(zalo: Recording) -> None:
    lan = zalo.person(ZALO_ID, language="en")
    await lan.say(zalo.codes["thue"])

    asked = await lan.say_text(zalo.codes["khobac"].lower())
    waiting = await lan.say_text(zalo.codes["khobac"])  # the question is open: not a code now
    moved = await lan.press(f"Move to {KHOBAC}")

    assert f"You speak for {THUE}" in asked and f"Move to {KHOBAC}?" in asked
    assert "answer the question above first" in waiting
    assert KHOBAC in moved[-1].text and "Hello!" in moved[-1].text


async def test_a_code_alone_in_a_group_is_not_read(recording: Recording) -> None:
    group = recording.group()
    said = await recording.person("hoa").say(recording.codes["nhnn"], group)

    person = await recording.app.services.people.person("telegram", "hoa")
    assert said == []
    assert person is None or person.link is None


async def both_platforms(recording: Recording, zalo: Recording) -> tuple[Person, Person]:
    """The head on Telegram; Cục Thuế's contacts on Telegram and on Zalo, Kho bạc's on Zalo."""
    head = recording.person("hoa", language="en")
    member = recording.person("lan", language="en")
    await head.say(f"/start {recording.codes['nhnn']}")
    await member.say(f"/start {recording.codes['thue']}")
    await zalo.person(ZALO_ID).say(zalo.codes["thue"])
    await zalo.person("a1b2c3").say(zalo.codes["khobac"])
    return head, member


async def test_the_heads_progress_names_the_platforms_of_each_agency(
    recording: Recording, zalo: Recording
) -> None:
    head, member = await both_platforms(recording, zalo)
    deputy = zalo.person("minh", language="en")
    await deputy.say(zalo.codes["thongke"])

    text = await head.say_text("/progress")
    on_zalo = await deputy.say_text("/tiendo")
    for_member = await member.say_text("/progress")

    assert line_with(text, THUE).endswith(" · Telegram, Zalo")
    assert line_with(text, KHOBAC).endswith(" · Zalo")
    assert line_with(text, DUTRU).endswith(" · no linked contact")
    assert line_with(on_zalo, THUE).endswith(" · Telegram, Zalo")
    assert "Telegram" not in for_member and "Zalo" not in for_member


async def test_the_group_sees_no_platforms(recording: Recording, zalo: Recording) -> None:
    head, _member = await both_platforms(recording, zalo)
    group = recording.group()
    await head.say(f"/linkgroup {recording.group_code}", group)

    text = await head.say_text("/progress", group)

    assert THUE in text and "Zalo" not in text


async def test_a_contact_who_blocked_the_bot_is_shown_as_unreachable(
    recording: Recording, zalo: Recording
) -> None:
    head, _member = await both_platforms(recording, zalo)
    await blocked(recording, "zalo", ZALO_ID)
    await blocked(recording, "zalo", "a1b2c3")

    text = await head.say_text("/progress")

    assert line_with(text, THUE).endswith(" · Telegram, Zalo (cannot be reached)")
    assert line_with(text, KHOBAC).endswith(" · Zalo (cannot be reached)")


async def test_several_contacts_on_one_platform_are_counted(
    recording: Recording, zalo: Recording
) -> None:
    head, _member = await both_platforms(recording, zalo)
    await zalo.person("c3d4e5").say(zalo.codes["thue"])
    await blocked(recording, "telegram", "lan")

    text = await head.say_text("/progress")

    assert line_with(text, THUE).endswith(" · Zalo ×2, Telegram (cannot be reached)")
