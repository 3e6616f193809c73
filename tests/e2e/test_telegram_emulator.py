"""The Telegram emulator, driven by a real python-telegram-bot Application and Bot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.testing.serving import serving
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator

TOKEN = "123:ABC"
App = Application[Any, Any, Any, Any, Any, Any]


async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet and offer two buttons."""
    assert update.effective_message is not None
    buttons = [
        InlineKeyboardButton("Đồng ý", callback_data="yes"),
        InlineKeyboardButton("Hủy", callback_data="no"),
    ]
    await update.effective_message.reply_text(
        "Xin chào!", reply_markup=InlineKeyboardMarkup([buttons])
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say the text back, remembering which update brought it."""
    assert update.effective_message is not None
    context.bot_data.setdefault("update_ids", []).append(update.update_id)
    await update.effective_message.reply_text(update.effective_message.text or "")


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm the choice and replace the buttons with it."""
    query = update.callback_query
    assert query is not None
    await query.answer(f"Đã chọn {query.data}")
    await query.edit_message_text(f"Bạn chọn: {query.data}")


@pytest.fixture
async def app(tg: TelegramEmulator) -> AsyncIterator[App]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{tg.base_url}/bot")
        .base_file_url(f"{tg.base_url}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", greet))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(CallbackQueryHandler(choose))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


@pytest.fixture
async def bot(tg: TelegramEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=tg.api_url, base_file_url=tg.file_url) as client:
        yield client


@pytest.fixture
async def lan(tg: TelegramEmulator) -> FakeUser:
    """Lan, who has already written to the bot, so her private chat exists."""
    person = tg.user(1001, "Lan", username="lan_nguyen")
    await person.send("chào bot")
    return person


# PTB 22 warns, even inside RetryAfter itself, that retry_after becomes a timedelta.
quiet_retry_after = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def retry_after(error: RetryAfter) -> float:
    """Seconds to wait, whichever type this PTB version gives (int, or timedelta soon)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else value


async def test_start_gets_the_greeting(tg: TelegramEmulator, app: App) -> None:
    minh = tg.user(1002, "Minh")
    await minh.send("/start")
    reply = await tg.wait_reply(minh)
    assert reply.text == "Xin chào!"
    assert reply.buttons == [["Đồng ý", "Hủy"]]
    assert reply.sender["username"] == "blocbot_test_bot"
    assert tg.stats.calls["getMe"] == 1
    assert "Minh: /start" in tg.transcript(minh)


async def test_button_press_is_answered_and_edits_the_message(
    tg: TelegramEmulator, app: App
) -> None:
    minh = tg.user(1002, "Minh")
    await minh.send("/start")
    greeting = await tg.wait_reply(minh)
    with pytest.raises(AssertionError, match=r"its buttons: \['Đồng ý', 'Hủy'\]"):
        await minh.press("Không có")

    query_id = await minh.press("Đồng ý")
    await tg.wait_until(lambda: greeting.edited, chat=minh)

    assert greeting.text == "Bạn chọn: yes"
    assert greeting.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert tg.callback(query_id).text == "Đã chọn yes"
    assert [press.id for press in tg.answered_callbacks] == [query_id]
    assert tg.messages(minh) == [greeting]


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    tg: TelegramEmulator, bot: Bot
) -> None:
    minh = tg.user(1002, "Minh")

    async def write_later() -> None:
        await asyncio.sleep(0.3)
        await minh.send("một")

    writer = asyncio.create_task(write_later())
    started = time.monotonic()
    first = await bot.get_updates(timeout=5)
    waited = time.monotonic() - started
    await writer
    assert [u.message.text for u in first if u.message] == ["một"]
    assert 0.25 < waited < 2

    await minh.send("hai")
    started = time.monotonic()
    second = await bot.get_updates(offset=first[-1].update_id + 1, timeout=5)
    assert time.monotonic() - started < 0.5  # pending: no wait at all
    assert [u.message.text for u in second if u.message] == ["hai"]
    assert second[0].update_id == first[0].update_id + 1
    assert await bot.get_updates(offset=second[-1].update_id + 1, timeout=0) == ()


async def test_bad_requests_have_telegrams_descriptions(
    tg: TelegramEmulator, bot: Bot, lan: FakeUser
) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(lan.id, "")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(lan.id, "x" * 4097)
    await bot.send_message(lan.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    last = tg.last(lan)
    assert last is not None and last.text == "x" * 4096 and last.source == f"<b>{last.text}</b>"
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(lan.id, "Điểm: 8.5", parse_mode="MarkdownV2")

    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(lan.id, "chọn", reply_markup=too_long)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):  # 66 bytes in 33 letters
        vietnamese = InlineKeyboardButton("x", callback_data="đ" * 33)
        await bot.send_message(lan.id, "chọn", reply_markup=InlineKeyboardMarkup([[vietnamese]]))
    fits = InlineKeyboardButton("x", callback_data="đ" * 32)
    await bot.send_message(lan.id, "chọn", reply_markup=InlineKeyboardMarkup([[fits]]))

    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(4242, "ai đó")  # a user who never wrote
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-100999, "nhóm")  # a group never made


async def test_edits_follow_telegrams_rules(tg: TelegramEmulator, bot: Bot, lan: FakeUser) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    sent = await bot.send_message(lan.id, "Bảng điểm", reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Bảng điểm", lan.id, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", lan.id, sent.message_id + 50)
    await bot.edit_message_reply_markup(lan.id, sent.message_id)
    record = tg.last(lan)
    assert record is not None and record.buttons == [] and record.edit_count == 1
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(lan.id, sent.message_id)

    assert await bot.delete_message(lan.id, sent.message_id)
    assert record.deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(lan.id, sent.message_id)


async def test_blocked_user_is_forbidden(tg: TelegramEmulator, bot: Bot, lan: FakeUser) -> None:
    tg.block(lan)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(lan.id, "nhắc nhở")
    await lan.send("/start")  # writing again unblocks
    await bot.send_message(lan.id, "chào lại")


@quiet_retry_after
async def test_injected_failures(tg: TelegramEmulator, bot: Bot, lan: FakeUser) -> None:
    tg.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(lan.id, "một")
    assert retry_after(caught.value) == 7

    tg.fail_next("sendMessage", status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(lan.id, "hai")
    tg.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(lan.id, "ba")
    tg.drop_connection_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(lan.id, "bốn")

    await bot.send_message(lan.id, "năm")
    assert [m.text for m in tg.messages(lan)] == ["năm"]
    assert (tg.stats.injected, tg.stats.dropped, tg.stats.calls["sendMessage"]) == (3, 1, 5)


async def test_redelivered_update_comes_again_with_the_same_id(
    tg: TelegramEmulator, app: App
) -> None:
    minh = tg.user(1002, "Minh")
    await minh.send("một")
    await tg.wait_reply(minh)
    [first_id] = app.bot_data["update_ids"]

    await tg.redeliver(first_id)
    assert (await tg.wait_reply(minh)).text == "một"
    await minh.send("hai")
    assert (await tg.wait_reply(minh)).text == "hai"
    assert app.bot_data["update_ids"] == [first_id, first_id, first_id + 1]


async def test_group_command_addressed_to_the_bot(tg: TelegramEmulator, app: App) -> None:
    lan = tg.user(1001, "Lan")
    group = tg.group(-100123, "Khối thi đua", admins=[lan])
    await lan.send("/start@other_bot", chat=group)  # privacy mode: not for this bot
    await lan.send("chào cả nhà", chat=group)  # privacy mode: the bot does not see it
    await lan.send("/start@blocbot_test_bot", chat=group)

    reply = await tg.wait_reply(group)
    assert reply.text == "Xin chào!"
    assert reply.chat.info["type"] == "supergroup"
    assert tg.update_count == 1
    assert "not delivered to the bot" in tg.transcript(group)


@quiet_retry_after
async def test_enforce_limits_refuses_a_second_message_within_a_second(
    tg: TelegramEmulator, bot: Bot, lan: FakeUser
) -> None:
    minh = tg.user(1002, "Minh")
    await minh.send("chào")
    tg.enforce_limits(per_chat_per_sec=1, per_group_per_min=20, global_per_sec=30)

    await bot.send_message(lan.id, "một")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(lan.id, "hai")
    assert retry_after(caught.value) == 1
    await bot.send_message(minh.id, "một")  # another chat has its own window
    assert tg.stats.rate_limited == 1


async def test_files_go_up_and_come_back(tg: TelegramEmulator, bot: Bot, lan: FakeUser) -> None:
    await bot.send_document(lan.id, b"a,b\n1,2\n", filename="diem.csv", caption="Bảng điểm")
    sent = tg.last(lan)
    assert sent is not None and sent.file is not None
    assert (sent.file.file_name, sent.file.size, sent.caption) == ("diem.csv", 8, "Bảng điểm")

    photo = await lan.send_photo(caption="ảnh minh chứng")
    assert photo.file is not None
    file = await bot.get_file(photo.file.file_id)
    assert bytes(await file.download_as_bytearray()) == photo.file.content
    await bot.send_photo(lan.id, photo.file.file_id)  # a known file_id is reused
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(lan.id, "no-such-file")


async def test_commands_chats_and_members(tg: TelegramEmulator, bot: Bot) -> None:
    lan, minh, hoa = tg.user(1001, "Lan"), tg.user(1002, "Minh"), tg.user(1003, "Hoa")
    group = tg.group(-100123, "Khối thi đua", creator=lan, admins=[minh], members=[hoa])
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([BotCommand("start", "Bắt đầu")], scope=scope, language_code="vi")
    assert tg.commands[("all_private_chats", "vi")] == [
        {"command": "start", "description": "Bắt đầu"}
    ]
    assert await bot.get_my_commands() == ()
    assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="vi")] == [
        "start"
    ]

    chat = await bot.get_chat(group.id)
    assert (chat.title, chat.type) == ("Khối thi đua", "supergroup")
    statuses = [(await bot.get_chat_member(group.id, u.id)).status for u in (lan, minh, hoa)]
    assert statuses == ["creator", "administrator", "member"]
    admins = await bot.get_chat_administrators(group.id)
    assert [a.user.id for a in admins] == [lan.id, minh.id]
    assert await bot.leave_chat(group.id)
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(group.id, "tạm biệt")


async def test_http_edges(tg: TelegramEmulator) -> None:
    lan = tg.user(1001, "Lan")
    await lan.send("hi")
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    async with aiohttp.ClientSession(base_url=tg.base_url) as http:
        as_json = await http.post(
            "/bot1:x/SENDMESSAGE", json={"chat_id": lan.id, "text": "a", "reply_markup": markup}
        )
        assert (await as_json.json())["result"]["reply_markup"] == markup
        as_form = await http.post(
            "/bot1:x/sendMessage",
            data={"chat_id": str(lan.id), "text": "b", "reply_markup": '{"remove_keyboard":true}'},
        )
        assert as_form.status == 200
        unknown = await http.post("/bot1:x/sendTelepathy")
        assert (unknown.status, (await unknown.json())["description"]) == (
            404,
            "Not Found: method not found",
        )
        bad_token = await http.post("/botnot-a-token/getMe")
        assert bad_token.status == 401
    assert [m.text for m in tg.messages(lan)] == ["a", "b"]
    with pytest.raises(InvalidToken):
        async with Bot("not-a-token", base_url=tg.api_url):
            pass


def receiving(
    path: str, hook: Callable[[web.Request], Awaitable[web.Response]]
) -> AbstractAsyncContextManager[str]:
    """A web server that answers POSTs to ``path`` with ``hook``: its base URL."""
    receiver = web.Application()
    receiver.router.add_post(path, hook)
    return serving(receiver)


async def test_webhook_delivery_posts_updates_with_the_secret(tg: TelegramEmulator) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response()

    async with receiving("/hook", hook) as base:
        await tg.deliver_to(f"{base}/hook", secret_token="bi-mat")
        lan = tg.user(1001, "Lan")
        await lan.send("qua webhook")
        await tg.webhook_drained()
    assert received == [("bi-mat", tg.feed.get(1))]
    assert received[0][1]["message"]["text"] == "qua webhook"


async def test_webhook_posts_each_chat_in_turn_and_again_until_taken(
    tg: TelegramEmulator,
) -> None:
    taken: list[tuple[int, str]] = []
    tried: set[int] = set()
    in_flight: dict[int, int] = {}
    overlapped: list[int] = []

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        chat = update["message"]["chat"]["id"]
        in_flight[chat] = in_flight.get(chat, 0) + 1
        if in_flight[chat] > 1:
            overlapped.append(chat)
        try:
            await asyncio.sleep(0.01)
            if update["update_id"] not in tried:  # every update fails once, then twice more
                tried.add(update["update_id"])
                return web.Response(status=502)
            if update["update_id"] % 3 == 0 and taken.count((0, "")) < 2:
                taken.append((0, ""))
                return web.Response(status=500)
            taken.append((chat, update["message"]["text"]))
            return web.Response()
        finally:
            in_flight[chat] -= 1

    tg.feed.retry_pause = 0.01
    async with receiving("/hook", hook) as base:
        await tg.deliver_to(f"{base}/hook", secret_token="bi-mat", connections=4)
        lan, minh = tg.user(1001, "Lan"), tg.user(1002, "Minh")
        for n in range(4):
            await lan.send(f"lan {n}")
            await minh.send(f"minh {n}")
        await tg.webhook_drained()
    for user in (lan, minh):
        got = [text for chat, text in taken if chat == user.id]
        assert got == [f"{user.first_name.lower()} {n}" for n in range(4)]
    assert overlapped == []  # one chat's updates are never posted two at once
    assert tg.stats.webhook_posts == 8 and tg.stats.webhook_failures == 10


async def test_webhook_posts_to_several_addresses_in_turn(tg: TelegramEmulator) -> None:
    received: list[tuple[str, str]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.path, (await request.json())["message"]["text"]))
        return web.Response()

    async with receiving("/{replica}", hook) as base:
        await tg.deliver_to([f"{base}/r1", f"{base}/r2"], "bi-mat")
        lan = tg.user(1001, "Lan")
        for n in range(4):
            await lan.send(f"lan {n}")
        await tg.webhook_drained()
    assert received == [("/r1", "lan 0"), ("/r2", "lan 1"), ("/r1", "lan 2"), ("/r2", "lan 3")]


async def test_wait_for_times_out_with_the_transcript(tg: TelegramEmulator) -> None:
    lan = tg.user(1001, "Lan")
    await lan.send("có ai không?")
    with pytest.raises(TimeoutError, match="Lan: có ai không"):
        await tg.wait_for(lan, timeout=0.2)


async def test_an_injected_update_comes_exactly_as_given(tg: TelegramEmulator) -> None:
    lan = tg.user(1001, "Lan")
    await lan.send("trước")
    broken = {"message": {"message_id": 5, "chat": {"id": lan.id}, "text": 42}}
    injected = tg.inject_update(broken)
    given = tg.inject_update({"update_id": 500, "callback_query": {"id": "1"}})
    await lan.send("sau")
    async with aiohttp.ClientSession(base_url=tg.base_url) as http:
        answer = await (await http.post(f"/bot{TOKEN}/getUpdates", json={})).json()
    updates = answer["result"]
    assert [u["update_id"] for u in updates] == [1, injected, 500, 501]
    assert updates[1] == {"update_id": 2, **broken} and given == 500
    assert updates[3]["message"]["text"] == "sau"  # later updates number on from the given id


async def test_a_held_method_answers_once_released(tg: TelegramEmulator, bot: Bot) -> None:
    tg.hold("getChat")
    group = tg.group(-100321, "Khối thi đua")
    asking = asyncio.create_task(bot.get_chat(group.id))
    await tg.wait_until(lambda: tg.stats.calls["getChat"] == 1)
    assert await bot.get_me()  # other methods answer meanwhile
    assert not asking.done()
    tg.release("getChat")
    assert (await asyncio.wait_for(asking, 5)).title == "Khối thi đua"


async def test_the_menu_a_person_sees_follows_telegrams_scopes(
    tg: TelegramEmulator, bot: Bot
) -> None:
    lan, minh = tg.user(1001, "Lan", language_code="en"), tg.user(1002, "Minh")
    group = tg.group(-100123, "Khối thi đua", admins=[minh], members=[lan])
    assert tg.menu(lan) == tg.menu(lan, group) == []
    commands = [BotCommand("help", "Trợ giúp")]
    await bot.set_my_commands(commands)
    await bot.set_my_commands([BotCommand("start", "Start"), *commands], language_code="en")
    assert tg.menu(lan) == tg.menu(lan, group) == ["start", "help"]  # her language first
    assert tg.menu(minh) == ["help"]
    private = BotCommandScopeChat(lan.id)
    await bot.set_my_commands([BotCommand("score", "Chấm điểm")], scope=private)
    await bot.set_my_commands(
        [BotCommand("announce", "Công bố")], scope=BotCommandScopeChatMember(group.id, minh.id)
    )
    await bot.set_my_commands(
        [BotCommand("progress", "Tiến độ")], scope=BotCommandScopeAllGroupChats()
    )
    assert tg.menu(lan) == ["score"]  # its chat's list, in no language, before the English one
    assert tg.menu(minh) == ["help"]
    assert (tg.menu(minh, group), tg.menu(lan, group)) == (["announce"], ["progress"])
