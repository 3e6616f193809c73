"""Enrolment, group linking, help, language and cancel, as a person meets them."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.handlers.model import IncomingKind
from bot.testing.recording import Recording


async def test_start_with_a_code_links_and_greets_by_agency_and_role(recording: Recording) -> None:
    lan = recording.person("lan", "Lan")

    reply = await lan.say_text(f"/start {recording.codes['thue']}")

    assert "Cục Thuế tỉnh Thái Bình" in reply
    assert "đơn vị thành viên" in reply and "/score" in reply


async def test_head_is_greeted_as_head(recording: Recording) -> None:
    head = recording.person("hoa")
    reply = await head.say_text(f"/start {recording.codes['nhnn'].lower()}")
    assert "Trưởng khối" in reply and "/announce" in reply


async def test_start_without_code_explains_how_to_get_one(recording: Recording) -> None:
    reply = await recording.person("x").say_text("/start")
    assert "mã mời" in reply or "invite code" in reply


async def test_wrong_codes_then_wait(recording: Recording, clock: FrozenClock) -> None:
    eve = recording.person("eve")
    for _ in range(5):
        assert "mã mời không đúng" in (await eve.say_text("/start AAAAAAAAAAAA")).lower()

    blocked = await eve.say_text(f"/start {recording.codes['thue']}")
    clock.advance(timedelta(minutes=11))
    later = await eve.say_text(f"/start {recording.codes['thue']}")

    assert "chờ" in blocked
    assert "Cục Thuế" in later


async def test_used_up_and_expired_codes(recording: Recording, clock: FrozenClock) -> None:
    for number in range(3):
        await recording.person(f"p{number}").say(f"/start {recording.codes['khobac']}")
    fourth = await recording.person("p4").say_text(f"/start {recording.codes['khobac']}")
    clock.advance(timedelta(days=61))
    late = await recording.person("p5").say_text(f"/start {recording.codes['thue']}")
    assert "đủ số người" in fourth
    assert "hết hạn" in late


async def test_linkgroup_by_head_and_refused_for_others(recording: Recording) -> None:
    group = recording.group()
    head = recording.person("hoa")
    member = recording.person("lan")
    stranger = recording.person("zed")
    await head.say(f"/start {recording.codes['nhnn']}")
    await member.say(f"/start {recording.codes['thue']}")

    refused_member = await member.say_text(f"/linkgroup {recording.group_code}", group)
    refused_stranger = await stranger.say_text(f"/linkgroup {recording.group_code}", group)
    linked = await head.say_text(f"/linkgroup@blocbot_bot {recording.group_code}", group)

    assert "Chỉ Trưởng khối" in refused_member and "Chỉ Trưởng khối" in refused_stranger
    assert "đã được liên kết" in linked


async def test_help_lists_only_allowed_commands_in_the_persons_language(
    recording: Recording,
) -> None:
    lan = recording.person("lan", language="en")
    head = recording.person("hoa")
    await lan.say(f"/start {recording.codes['thue']}")
    await head.say(f"/start {recording.codes['nhnn']}")

    member_help = await lan.say_text("/help")
    head_help = await head.say_text("/help")

    assert "/score" in member_help and "What you can do" in member_help
    assert "/announce" not in member_help and "/announce" in head_help


async def test_lang_switches_language(recording: Recording) -> None:
    lan = recording.person("lan")
    await lan.say(f"/start {recording.codes['thue']}")
    assert "English" in await lan.say_text("/lang en")
    assert "What you can do" in await lan.say_text("/help")
    assert "tiếng Việt" in await lan.say_text("/lang vi")
    assert "Bạn có thể" in await lan.say_text("/help")


async def test_unsupported_and_edited_messages_get_a_short_reply(recording: Recording) -> None:
    lan = recording.person("lan")
    photo = await lan.send_other(IncomingKind.UNSUPPORTED)
    edited = await lan.send_other(IncomingKind.EDITED)
    assert "văn bản" in photo[0].text
    assert "sửa" in edited[0].text


async def test_unknown_command_and_expired_button(recording: Recording) -> None:
    lan = recording.person("lan")
    assert "/help" in await lan.say_text("/khongco")
    await lan.send_payload("zz:old")
    assert recording.notices[-1]
