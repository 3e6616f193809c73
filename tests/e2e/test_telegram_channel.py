"""The real Telegram channel against the Bot API emulator: in process, and as `blocbot run`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.app import App
from bot.channels.hub import Hub
from bot.channels.telegram import TelegramChannel
from bot.clock import FrozenClock
from bot.handlers.context import Context
from bot.handlers.model import Button
from bot.handlers.router import Audience, Command
from bot.scheduler.sending import Delivery, Parcel
from bot.services.directory import MENU_KEPT
from bot.services.people import Person
from bot.testing.process import BotProcess
from bot.testing.recording import Recording
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator

TOKEN = "123:ABC"
AGENCY = "Cục Thuế tỉnh Thái Bình"


def telegram_channel(tg: TelegramEmulator, app: App) -> TelegramChannel:
    """A channel on the emulator that knows who is linked (for their menus)."""
    settings = app.settings.model_copy(
        update={"telegram_token": SecretStr(TOKEN), "telegram_base_url": tg.api_url}
    )
    directory = app.directory()
    return TelegramChannel(settings, app.router, Hub(), directory)


@pytest.fixture
async def channel(tg: TelegramEmulator, app: App) -> AsyncIterator[TelegramChannel]:
    running = telegram_channel(tg, app)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def hoa(tg: TelegramEmulator) -> FakeUser:
    return tg.user(2001, "Hoa", last_name="Trần", language_code="vi")


async def test_start_with_an_invite_code_links_and_greets(
    tg: TelegramEmulator, app: App, channel: TelegramChannel, hoa: FakeUser
) -> None:
    recording = Recording(app)
    await recording.seed()
    await hoa.send(f"/start {recording.codes['thue']}")
    reply = await tg.wait_reply(hoa)
    assert AGENCY in reply.text
    assert channel.label == "telegram: @blocbot_test_bot"


async def test_photos_stickers_and_edits_get_a_short_answer(
    tg: TelegramEmulator, channel: TelegramChannel, hoa: FakeUser
) -> None:
    await hoa.send_photo(caption="ảnh minh chứng")
    photo = await tg.wait_reply(hoa)
    await hoa.send_sticker()
    sticker = await tg.wait_reply(hoa)
    assert 0 < len(photo.text) < 200 and sticker.text == photo.text

    said = await hoa.send("xin chào")
    await tg.wait_reply(hoa)
    await hoa.edit(said, "xin chào bot")
    edited = await tg.wait_reply(hoa)
    assert 0 < len(edited.text) < 200 and edited.text != photo.text


async def test_a_redelivered_update_is_answered_once(
    tg: TelegramEmulator, channel: TelegramChannel, hoa: FakeUser
) -> None:
    await hoa.send("/help")
    first = await tg.wait_reply(hoa)
    await tg.redeliver(tg.update_count)
    await hoa.send("/nosuchcommand")
    second = await tg.wait_reply(hoa)
    assert tg.stats.redelivered == 1
    assert tg.messages(hoa) == [first, second]
    assert "/nosuchcommand" in second.text


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_flood_error_is_waited_out(
    tg: TelegramEmulator, channel: TelegramChannel, hoa: FakeUser
) -> None:
    tg.fail_next("sendMessage", status=429, retry_after=1)
    started = time.monotonic()
    await hoa.send("/help")
    reply = await tg.wait_reply(hoa, timeout=10)
    assert time.monotonic() - started >= 1
    assert tg.stats.injected == 1
    assert tg.messages(hoa) == [reply]


async def test_a_dropped_connection_is_retried(
    tg: TelegramEmulator, channel: TelegramChannel, hoa: FakeUser
) -> None:
    tg.drop_connection_next("sendMessage")
    await hoa.send("/help")
    reply = await tg.wait_reply(hoa, timeout=10)
    assert tg.stats.dropped == 1
    assert tg.messages(hoa) == [reply]


async def test_group_commands_for_another_bot_are_left_alone(
    tg: TelegramEmulator, channel: TelegramChannel, hoa: FakeUser
) -> None:
    group = tg.group(-100555, "Khối thi đua", members=[hoa], privacy=False)
    await hoa.send("/help@otherbot", chat=group)
    await hoa.send("/help@blocbot_test_bot", chat=group)
    reply = await tg.wait_reply(group)
    assert "/start" in reply.text
    assert tg.update_count == 2  # the bot saw both
    assert tg.messages(group) == [reply]


async def test_a_group_that_adds_the_bot_is_told_how_to_link_it_once(
    tg: TelegramEmulator, channel: TelegramChannel, hoa: FakeUser
) -> None:
    group = tg.group(-100777, "Khối thi đua", members=[hoa])
    tg.add_message(tg.chats[group.id], hoa, "service", extra={"new_chat_members": [tg.bot_user]})
    welcome = await tg.wait_reply(group)
    assert "/linkgroup" in welcome.text
    await tg.redeliver(tg.update_count)
    await hoa.send("/help", chat=group)
    await tg.wait_reply(group)
    assert len(tg.messages(group)) == 2


async def test_replies_menus_polling_and_the_outbox_share_one_aiohttp_pool(
    tg: TelegramEmulator, app: App, hoa: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_httpx(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an httpx client was opened")

    monkeypatch.setattr(httpx.AsyncClient, "__init__", no_httpx)
    running = telegram_channel(tg, app)
    await running.start()
    try:
        await hoa.send("/help")
        assert "/start" in (await tg.wait_reply(hoa)).text
        assert tg.commands[("default", "")]  # the menus went out too
        parcel = Parcel(str(hoa.id), "private", "Nhắc việc", {})
        result = await running.deliver(parcel, lambda _id, *, last: asyncio.sleep(0))
        assert result.outcome is Delivery.SENT and tg.messages(hoa)[-1].text == "Nhắc việc"
        assert running.application.bot.request._api is running.api  # type: ignore[attr-defined]
    finally:
        await running.stop()


def names(listed: list[dict[str, str]]) -> list[str]:
    return [command["command"] for command in listed]


async def test_the_menus_of_people_not_linked_are_set_in_both_languages(
    tg: TelegramEmulator, app: App, channel: TelegramChannel
) -> None:
    nobody = Person(0, "telegram", "", "", "vi", operator=False)
    private = [c.name for c in app.router.commands_for(nobody, False)]
    in_groups = [c.name for c in app.router.commands_for(nobody, True)]
    vietnamese, english = tg.commands[("default", "")], tg.commands[("default", "en")]
    assert names(vietnamese) == names(english) == private
    assert {"command": "start", "description": "link your account with an invite code"} in english
    assert vietnamese != english
    groups = tg.commands[("all_group_chats", "")], tg.commands[("all_group_chats", "en")]
    assert names(groups[0]) == names(groups[1]) == in_groups
    assert {"start", "help"} <= set(private) and not {"score", "announce"} & set(private)
    assert "score" not in in_groups  # a direct-chat command
    assert tg.menu(tg.user(2009, "Lạ")) == private


async def test_linking_gives_a_person_the_menu_of_their_role(
    tg: TelegramEmulator, app: App, channel: TelegramChannel, hoa: FakeUser
) -> None:
    recording = Recording(app)
    await recording.seed()
    head = tg.user(2002, "Minh", language_code="en")
    await hoa.send(f"/start {recording.codes['thue']}")
    await head.send(f"/start {recording.codes['nhnn']}")
    await tg.wait_until(lambda: "score" in tg.menu(hoa) and "announce" in tg.menu(head))
    member, leader = set(tg.menu(hoa)), set(tg.menu(head))
    assert {"score", "myscore", "progress", "standings", "help"} <= member
    assert not {"start", "announce", "deadline", "remind"} & member
    assert {"score", "announce", "deadline", "meeting", "remind"} <= leader
    # Each in their own language: Vietnamese for Hoa, English for Minh.
    described = {c["command"]: c["description"] for c in tg.commands[(f"chat:{head.id}", "")]}
    assert described["score"] == "fill in your agency's self-score sheet"
    hoa_said = {c["command"]: c["description"] for c in tg.commands[(f"chat:{hoa.id}", "")]}
    assert hoa_said["score"] != described["score"]


async def linked_in_a_group(
    tg: TelegramEmulator, app: App, hoa: FakeUser
) -> tuple[FakeUser, FakeUser]:
    """Hoa and the head Minh linked, and the bloc's group linked, through a channel that has
    stopped since; the head and the group."""
    recording = Recording(app)
    await recording.seed()
    head = tg.user(2002, "Minh")
    group = tg.group(-100999, "Khối thi đua", admins=[head], members=[hoa])
    first = telegram_channel(tg, app)
    await first.start()
    try:
        await hoa.send(f"/start {recording.codes['thue']}")
        await tg.wait_reply(hoa)
        await head.send(f"/start {recording.codes['nhnn']}")
        await tg.wait_reply(head)
        await head.send(f"/linkgroup {recording.group_code}", chat=group)
        await tg.wait_reply(group)
    finally:
        await first.stop()
    return head, group


async def test_linked_people_get_their_menus_from_the_leader_in_chats_and_groups(
    tg: TelegramEmulator, app: App, clock: FrozenClock, hoa: FakeUser
) -> None:
    head, group = await linked_in_a_group(tg, app, hoa)
    tg.commands.clear()
    clock.advance(MENU_KEPT + timedelta(minutes=1))  # what was set a week ago is set again
    second = telegram_channel(tg, app)
    await second.start()
    try:
        # A replica that does not lead sets only the menus of people not linked.
        assert all(scope in ("default", "all_group_chats") for scope, _lang in tg.commands)
        second.lead()
        await tg.wait_until(lambda: ("chat_member:-100999:2002", "") in tg.commands)
        await tg.wait_until(lambda: ("chat_member:-100999:2001", "") in tg.commands)
        assert "score" in tg.menu(hoa) and "announce" in tg.menu(head)
        in_group, head_in_group = set(tg.menu(hoa, group)), set(tg.menu(head, group))
        assert {"progress", "standings"} <= in_group
        assert not {"score", "announce", "remind"} & in_group
        assert {"progress", "standings", "announce", "remind", "linkgroup"} <= head_in_group
        assert tg.menu(tg.user(2009, "Lạ"), group) == names(tg.commands[("all_group_chats", "")])
    finally:
        await second.stop()


async def test_a_new_leader_sends_only_the_menus_that_changed(
    tg: TelegramEmulator, app: App, clock: FrozenClock, hoa: FakeUser
) -> None:
    await linked_in_a_group(tg, app, hoa)
    clock.advance(MENU_KEPT + timedelta(minutes=1))  # those set when they linked are old now
    scopes = 4  # Hoa's and Minh's chats, and each of them in the group
    for n in range(3):
        channel = telegram_channel(tg, app)
        await channel.start()
        try:
            before = tg.stats.calls["setMyCommands"]
            menus = channel.menus
            if n == 0:
                tg.fail_next("setMyCommands", status=400)  # refused: not set, not recorded
            await menus.publish_everyone()  # what lead() starts in the background
            if n == 0:  # all of them again, one refused
                assert (menus.sent, menus.unchanged) == (scopes - 1, 0)
                assert tg.stats.calls["setMyCommands"] == before + scopes
            elif n == 1:  # only the one refused before
                assert (menus.sent, menus.unchanged) == (1, scopes - 1)
            else:  # everything is as it was set
                assert (menus.sent, menus.unchanged) == (0, scopes)
                assert tg.stats.calls["setMyCommands"] == before
        finally:
            await channel.stop()


async def test_a_button_with_a_payload_too_long_is_left_out(
    tg: TelegramEmulator, app: App, channel: TelegramChannel, hoa: FakeUser
) -> None:
    async def offer(ctx: Context, _args: str) -> None:
        ctx.reply("Chọn:", [[Button("Được", "t:ok"), Button("Quá dài", "t:" + "x" * 70)]])

    app.router.command(Command("testlong", offer, Audience.ANYONE, "test"))
    await hoa.send("/testlong")
    reply = await tg.wait_reply(hoa)
    assert (reply.text, reply.buttons) == ("Chọn:", [["Được"]])


async def test_replies_keep_the_order_of_quick_messages(
    tg: TelegramEmulator, channel: TelegramChannel, hoa: FakeUser
) -> None:
    an = tg.user(2002, "An")
    tg.drop_connection_next("sendMessage")  # the first reply is late: the others must wait
    names = [f"/khong{n}" for n in range(1, 6)]
    for name in names:
        await hoa.send(name)
        await an.send(name)
    for person in (hoa, an):
        replies = await tg.wait_for(person, count=5, timeout=10)
        assert [next(n for n in names if n in r.text) for r in replies] == names


async def test_buttons_edits_notices_long_texts_and_other_chats(
    tg: TelegramEmulator, app: App, channel: TelegramChannel, hoa: FakeUser
) -> None:
    group = tg.group(-100888, "Khối thi đua", members=[hoa])
    await hoa.send("hi", chat=group)  # the bot does not see it (privacy), but the chat exists
    long_text = "\n".join(f"Dòng {n}: " + "điểm " * 20 for n in range(60))  # ~6500 characters

    async def offer(ctx: Context, _args: str) -> None:
        ctx.reply(long_text, [[Button("Giữ", "t:keep"), Button("Đổi", "t:change")]])
        ctx.send("telegram", str(group.id), "Hoa đã mở bảng điểm.")

    async def press(ctx: Context, payload: str) -> None:
        text = "Đã đổi." if payload == "t:change" else "Giữ nguyên."
        ctx.reply(text, [[Button("Đổi", "t:change")]], edit=True)
        ctx.notice("OK")

    app.router.command(Command("testbuttons", offer, Audience.ANYONE, "test"))
    app.router.button("t", press)

    await hoa.send("/testbuttons")
    first, last = await tg.wait_for(hoa, count=2)
    assert (first.buttons, last.buttons) == ([], [["Giữ", "Đổi"]])
    assert f"{first.text}\n{last.text}" == long_text
    posted = await tg.wait_reply(group)
    assert posted.text == "Hoa đã mở bảng điểm."

    query = await hoa.press("Đổi")
    await tg.wait_until(lambda: last.edit_count == 1, chat=hoa)
    assert tg.callback(query).answered and tg.callback(query).text == "OK"
    assert (last.text, last.buttons, last.edit_count) == ("Đã đổi.", [["Đổi"]], 1)

    await hoa.press("Đổi")  # the same text again: "message is not modified" is fine
    await hoa.send("/testbuttons")  # replies come in order: the press was fully handled
    await tg.wait_for(hoa, count=2)
    assert tg.stats.errors[400] == 1
    assert tg.messages(hoa)[:2] == [first, last] and last.edit_count == 1
    assert len(tg.messages(hoa)) == 4

    tg.fail_next("editMessageText", status=400, description="Bad Request: message can't be edited")
    await hoa.press("Đổi")
    fresh = await tg.wait_reply(hoa)  # the edit failed: a new message instead
    assert (fresh.text, fresh.buttons) == ("Đã đổi.", [["Đổi"]])


# -- blocbot run, as a child process ----------------------------------------------------------


async def test_run_without_a_token_says_how_to_set_one(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'blocbot.db'}"
    child = BotProcess({"BLOCBOT_DATABASE_URL": database}, tmp_path).start()
    assert await child.wait(timeout=30) == 2
    assert "BLOCBOT_TELEGRAM_TOKEN" in child.log and "blocbot demo" in child.log
    assert not (tmp_path / "blocbot.db").exists()  # nothing touched


async def test_blocbot_run_answers_and_stops_on_sigterm(
    tg: TelegramEmulator, tmp_path: Path, hoa: FakeUser
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'blocbot.db'}"
    async with BotProcess.against(tg, database, tmp_path).start() as child:
        await child.wait_running()
        await hoa.send("/start")
        reply = await tg.wait_reply(hoa, timeout=10)
        assert "/start" in reply.text
        assert await child.stop() == 0
    assert "blocbot is running (telegram: @blocbot_test_bot)" in child.log
    assert "Traceback" not in child.log
    assert tg.feed.pending_count == 0  # the answered update was confirmed before exiting


async def test_hundreds_of_messages_from_one_chat_keep_no_one_else_waiting(
    tg: TelegramEmulator, channel: TelegramChannel, hoa: FakeUser
) -> None:
    lan = tg.user(2002, "Lan", language_code="vi")
    sent = 400  # more than the updates handled at once (256)
    for n in range(sent):
        await hoa.send(f"tin nhắn {n}")
    await lan.send("xin chào")
    await tg.wait_reply(lan, timeout=30)
    answered = len(tg.messages(hoa))
    # Hoa's messages hold one place between them: Lan is answered while Hoa's first few are;
    # were each of Hoa's waiting messages to hold a place, Lan would wait for 144 of them.
    assert answered < 60, f"Lan was answered after {answered} of Hoa's {sent} messages"
    await tg.wait_until(lambda: len(tg.messages(hoa)) == sent, timeout=60)  # each answered
