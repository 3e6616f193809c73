"""The Zalo emulator, driven over HTTP with a plain aiohttp client (no bot)."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.testing.zalo_emulator import (
    SECRET_HEADER,
    JoinRefused,
    ZaloEmulator,
    ZaloMessage,
    ZaloUser,
)
from bot.testing.zalo_emulator.console import Console

TOKEN = "12345689:abc-xyz"
SECRET = "s3cret-token"
JSONBody = dict[str, Any]


@pytest.fixture
async def zl() -> AsyncIterator[ZaloEmulator]:
    """The emulator on a free port, with short polls and quick webhook retries."""
    async with ZaloEmulator(bot_name="Bot Khối thi đua") as emulator:
        emulator.longest_poll = 0.2
        emulator.webhook_pause = 0.01
        yield emulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@dataclass
class Receiver:
    """A webhook receiver that records each POST and answers the statuses queued."""

    url: str = ""
    posts: list[tuple[dict[str, str], JSONBody]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        self.posts.append((dict(request.headers), await request.json()))
        self.arrived.set()
        status = self.statuses.pop(0) if self.statuses else 200
        if request.headers.get(SECRET_HEADER) != SECRET:
            status = 403
        return web.json_response({"ok": status == 200}, status=status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hook", found.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    found.url = f"http://{host}:{port}/hook"
    yield found
    await runner.cleanup()


async def call(
    http: aiohttp.ClientSession,
    zl: ZaloEmulator,
    method: str,
    token: str = TOKEN,
    **params: Any,
) -> tuple[int, JSONBody]:
    """POST a JSON call; return the HTTP status and the envelope."""
    async with http.post(f"{zl.api_url}{token}/{method}", json=params) as answer:
        return answer.status, await answer.json()


async def test_get_me(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    status, body = await call(http, zl, "getMe")
    assert status == 200
    assert body == {
        "ok": True,
        "result": {
            "id": "12345689",
            "account_name": "Bot Khối thi đua",
            "account_type": "BASIC",
            "can_join_groups": True,
        },
    }
    assert zl.api_url.startswith("http://127.0.0.1:") and zl.api_url.endswith("/bot")


async def test_bad_token_is_401(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    assert not zl.token_ok("abc") and zl.token_ok(TOKEN)
    assert await call(http, zl, "getMe", token="not-a-token") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    zl.errors_as = "http200"
    status, body = await call(http, zl, "getMe", token="123")
    assert (status, body["ok"], body["error_code"]) == (200, False, 401)


async def test_unknown_and_wrongly_cased_methods_are_404(
    zl: ZaloEmulator, http: aiohttp.ClientSession
) -> None:
    for method in ("getme", "testWebhook", "editMessageText"):
        status, body = await call(http, zl, method)
        assert status == 404
        assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_parameters_in_any_encoding(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    lan = zl.user("6ede9afa66b88fe6d6a9", "Lan")
    url = f"{zl.api_url}{TOKEN}/sendMessage"
    async with http.get(url, params={"chat_id": lan.id, "text": "query"}) as answer:
        assert (await answer.json())["ok"]
    async with http.post(url, data={"chat_id": lan.id, "text": "form"}) as answer:
        assert (await answer.json())["ok"]
    form = aiohttp.FormData()
    form.add_field("chat_id", lan.id)
    form.add_field("text", "multipart")
    async with http.post(url, data=form) as answer:
        assert (await answer.json())["ok"]
    async with http.post(url, params={"chat_id": lan.id}, json={"text": "merged"}) as answer:
        result = (await answer.json())["result"]
    assert set(result) == {"message_id", "date"} and isinstance(result["message_id"], str)
    assert [m.text for m in zl.messages(lan)] == ["query", "form", "multipart", "merged"]


async def test_get_updates_single_shape(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    lan = zl.user("6ede9afa66b88fe6d6a9", "Lan")
    first = await lan.send("/start ABC")
    await lan.send("Xin chào")
    status, body = await call(http, zl, "getUpdates", timeout="30")
    assert status == 200 and body["ok"]
    update = body["result"]
    assert update == {
        "event_name": "message.text.received",
        "message": {
            "from": {"id": lan.id, "display_name": "Lan", "is_bot": False},
            "chat": {"id": lan.id, "chat_type": "PRIVATE"},
            "text": "/start ABC",
            "message_id": first.message_id,
            "date": first.date,
        },
    }
    assert abs(first.date - time.time() * 1000) < 5000  # milliseconds
    _, body = await call(http, zl, "getUpdates", timeout=30)
    assert body["result"]["message"]["text"] == "Xin chào"
    assert zl.stats.handed_out == 2 and zl.queued == 0


async def test_get_updates_list_shape(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    zl.updates_shape = "list"
    lan = zl.user(name="Lan")
    for text in ("một", "hai", "ba"):
        await lan.send(text)
    _, body = await call(http, zl, "getUpdates", timeout="1")
    assert [u["message"]["text"] for u in body["result"]] == ["một", "hai", "ba"]
    assert zl.stats.handed_out == 3


@pytest.mark.parametrize(("mode", "http_status"), [("status", 408), ("http200", 200)])
async def test_empty_poll_is_408(
    zl: ZaloEmulator, http: aiohttp.ClientSession, mode: str, http_status: int
) -> None:
    zl.errors_as = mode  # type: ignore[assignment]
    started = time.perf_counter()
    status, body = await call(http, zl, "getUpdates", timeout="30")
    assert time.perf_counter() - started < 0.6  # capped by longest_poll
    assert status == http_status
    assert body == {"ok": False, "error_code": 408, "description": "Request timeout"}


async def test_long_poll_wakes_when_a_message_arrives(
    zl: ZaloEmulator, http: aiohttp.ClientSession
) -> None:
    zl.longest_poll = 5
    poll = asyncio.create_task(call(http, zl, "getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    await zl.user(name="Minh").send("Chào bot")
    _, body = await poll
    assert body["result"]["message"]["text"] == "Chào bot"
    assert time.perf_counter() - started < 0.5


async def test_get_updates_refused_under_a_webhook(
    zl: ZaloEmulator, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    zl.longest_poll = 5
    waiting = asyncio.create_task(call(http, zl, "getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    await call(http, zl, "setWebhook", url=receiver.url, secret_token=SECRET)
    status, body = await waiting
    assert status == 409 and body["error_code"] == 409 and "webhook" in body["description"]
    status, body = await call(http, zl, "getUpdates", timeout=1)
    assert status == 409 and not body["ok"]
    await call(http, zl, "deleteWebhook")
    await zl.user(name="Lan").send("lại đây")
    _, body = await call(http, zl, "getUpdates", timeout=1)
    assert body["result"]["message"]["text"] == "lại đây"


async def test_set_webhook_validates_the_secret(
    zl: ZaloEmulator, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    for params in (
        {"url": receiver.url},
        {"url": receiver.url, "secret_token": "short"},
        {"url": receiver.url, "secret_token": "x" * 257},
        {"url": "ftp://example.invalid/hook", "secret_token": SECRET},
        {"secret_token": SECRET},
    ):
        status, body = await call(http, zl, "setWebhook", **params)
        assert status == 400 and body["error_code"] == 400, params
    zl.allow_private_webhook = False
    status, _ = await call(http, zl, "setWebhook", url=receiver.url, secret_token=SECRET)
    assert status == 400
    zl.allow_private_webhook = True
    status, body = await call(http, zl, "setWebhook", url=receiver.url, secret_token="x" * 8)
    assert status == 200 and body["result"]["url"] == receiver.url
    assert isinstance(body["result"]["updated_at"], int)
    _, info = await call(http, zl, "getWebhookInfo")
    assert set(info["result"]) == {"url", "updated_at"} and info["result"]["url"] == receiver.url
    _, deleted = await call(http, zl, "deleteWebhook")
    assert deleted["result"]["url"] == "" and "updated_at" in deleted["result"]
    _, info = await call(http, zl, "getWebhookInfo")
    assert info["result"]["url"] == ""


@pytest.mark.parametrize("shape", ["wrapped", "bare"])
async def test_webhook_delivery(
    zl: ZaloEmulator, http: aiohttp.ClientSession, receiver: Receiver, shape: str
) -> None:
    zl.webhook_body = shape  # type: ignore[assignment]
    await call(http, zl, "setWebhook", url=receiver.url, secret_token=SECRET)
    lan = zl.user(name="Lan")
    sent = await lan.send("Xin chào")
    await zl.webhook_drained()
    ((headers, body),) = receiver.posts
    assert headers[SECRET_HEADER] == SECRET
    assert headers["Content-Type"].startswith("application/json")
    update = body["result"] if shape == "wrapped" else body
    if shape == "wrapped":
        assert body["ok"] is True
    assert update["event_name"] == "message.text.received"
    assert update["message"]["message_id"] == sent.message_id
    assert [(d.message_id, d.attempt, d.status) for d in zl.deliveries] == [
        (sent.message_id, 1, 200)
    ]


async def test_webhook_retries_after_a_500(
    zl: ZaloEmulator, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    await call(http, zl, "setWebhook", url=receiver.url, secret_token=SECRET)
    receiver.statuses = [500, 502]
    sent = await zl.user(name="Lan").send("thử lại")
    await zl.webhook_drained()
    assert [(d.attempt, d.status) for d in zl.deliveries] == [(1, 500), (2, 502), (3, 200)]
    assert {d.message_id for d in zl.deliveries} == {sent.message_id}
    assert len(receiver.posts) == 3 and zl.stats.webhook_lost == 0


async def test_webhook_gives_up_after_the_retries(
    zl: ZaloEmulator, http: aiohttp.ClientSession
) -> None:
    zl.webhook_retries = 2
    await call(http, zl, "setWebhook", url="http://127.0.0.1:9/hook", secret_token=SECRET)
    await zl.user(name="Lan").send("không tới")
    await zl.webhook_drained()
    assert [d.attempt for d in zl.deliveries] == [1, 2, 3]
    assert all(d.status is None and d.error for d in zl.deliveries)
    assert zl.stats.webhook_lost == 1


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_concurrent_webhook_delivery_keeps_each_chat_in_order(
    zl: ZaloEmulator, http: aiohttp.ClientSession, concurrency: int
) -> None:
    """Up to ``concurrency`` POSTs at once, never two of one chat, each chat in order (a
    retried POST included)."""
    in_flight: list[str] = []
    most = 0
    seen: dict[str, list[str]] = {}
    failed_once: set[str] = set()

    async def slow(request: web.Request) -> web.Response:
        nonlocal most
        message = (await request.json())["result"]["message"]
        chat, text = message["chat"]["id"], message["text"]
        assert chat not in in_flight, f"two POSTs of chat {chat} at once"
        in_flight.append(chat)
        most = max(most, len(in_flight))
        await asyncio.sleep(0.05)
        in_flight.remove(chat)
        if text == "1" and chat not in failed_once:  # the first of each chat fails once
            failed_once.add(chat)
            return web.json_response({"ok": False}, status=500)
        seen.setdefault(chat, []).append(text)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", slow)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        zl.feed.concurrency = concurrency
        await call(http, zl, "setWebhook", url=f"http://{host}:{port}/hook", secret_token=SECRET)
        people = [zl.user(name=f"Người {n}") for n in range(6)]
        for text in ("1", "2", "3"):
            for person in people:
                await person.send(text)
        started = time.perf_counter()
        await zl.webhook_drained()
        took = time.perf_counter() - started
    finally:
        await runner.cleanup()
    assert seen == {person.id: ["1", "2", "3"] for person in people}
    assert most == min(concurrency, len(people))
    assert len(zl.deliveries) == 4 * len(people) and zl.stats.webhook_lost == 0
    if concurrency > 1:  # 24 POSTs of 50 ms: about 1.2 s one at a time
        assert took < 0.8, took


async def test_duplicate_next_and_replay(
    zl: ZaloEmulator, http: aiohttp.ClientSession, receiver: Receiver
) -> None:
    await call(http, zl, "setWebhook", url=receiver.url, secret_token=SECRET)
    zl.duplicate_next()
    lan = zl.user(name="Lan")
    first = await lan.send("một lần")
    await lan.send("hai")
    await zl.webhook_drained()
    bodies = [body for _, body in receiver.posts]
    assert len(bodies) == 3 and bodies[0] == bodies[1]
    assert [d.duplicate for d in zl.deliveries] == [False, True, False]
    await zl.replay(first.message_id)
    assert receiver.posts[-1][1] == bodies[0] and zl.deliveries[-1].replay
    wrong = await zl.post_webhook(bodies[0], secret="wrong-secret")
    missing = await zl.post_webhook(bodies[0], secret=None)
    assert (wrong, missing) == (403, 403)


async def test_duplicate_next_with_get_updates(
    zl: ZaloEmulator, http: aiohttp.ClientSession
) -> None:
    zl.updates_shape = "list"
    zl.duplicate_next()
    await zl.user(name="Lan").send("hai lần")
    _, body = await call(http, zl, "getUpdates", timeout=1)
    assert len(body["result"]) == 2 and body["result"][0] == body["result"][1]


async def test_group_mention_filter(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    zl.updates_shape = "list"
    lan, minh = zl.user(name="Lan"), zl.user(name="Minh")
    group = zl.group("g-1a2b", "Khối thi đua TW", members=[lan, minh])
    await lan.send("@Bot Khối thi đua /linkgroup X", group=group)  # the bot is not in it yet
    zl.add_bot(group)
    await minh.send("chuyện phiếm", group=group)
    mentioned = await lan.send("@Bot Khối thi đua /linkgroup X", group=group)
    _, body = await call(http, zl, "getUpdates", timeout=1)
    (update,) = body["result"]
    assert update["message"]["chat"] == {"id": "g-1a2b", "chat_type": "GROUP"}
    assert update["message"]["from"]["id"] == lan.id
    assert update["message"]["message_id"] == mentioned.message_id
    assert [m.delivered for m in zl.said(group)] == [False, False, True]
    assert "not delivered" in zl.transcript(group)
    outsider = zl.user(name="Tuấn")
    with pytest.raises(AssertionError):
        await outsider.send("@Bot Khối thi đua hi", group=group)


async def test_can_join_groups_false(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    zl.can_join_groups = False
    group = zl.group("g-2", "Nhóm", members=[zl.user(name="Lan")])
    with pytest.raises(JoinRefused):
        zl.add_bot(group)
    _, body = await call(http, zl, "getMe")
    assert body["result"]["can_join_groups"] is False
    status, body = await call(http, zl, "sendMessage", chat_id="g-2", text="hi")
    assert status == 403 and not body["ok"]
    zl.can_join_groups = True
    zl.add_bot(group)
    status, _ = await call(http, zl, "sendMessage", chat_id="g-2", text="hi")
    assert status == 200 and zl.messages(group)[0].text == "hi"


async def test_send_message_limit_in_utf16_units(
    zl: ZaloEmulator, http: aiohttp.ClientSession
) -> None:
    lan = zl.user(name="Lan")
    status, _ = await call(http, zl, "sendMessage", chat_id=lan.id, text="a" * 2000)
    assert status == 200 and zl.messages(lan)[0].units == 2000
    status, body = await call(http, zl, "sendMessage", chat_id=lan.id, text="a" * 1999 + "😀")
    assert status == 400 and "2001" in body["description"]
    status, _ = await call(http, zl, "sendMessage", chat_id=lan.id, text="a" * 1998 + "😀")
    assert status == 200 and zl.messages(lan)[-1].units == 2000
    status, _ = await call(http, zl, "sendMessage", chat_id=lan.id, text="")
    assert status == 400
    status, body = await call(http, zl, "sendMessage", chat_id="nobody", text="hi")
    assert status == 400 and "chat not found" in body["description"]
    await call(http, zl, "sendMessage", chat_id=lan.id, text="*đậm*", parse_mode="markdown")
    assert zl.messages(lan)[-1].parse_mode == "markdown"


async def test_other_send_methods(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    lan = zl.user(name="Lan")
    group = zl.group("g-3", "Nhóm", members=[lan], bot=True)
    photo = "https://example.invalid/a.jpg"
    status, body = await call(http, zl, "sendPhoto", chat_id=lan.id, photo=photo, caption="ảnh")
    assert status == 200 and set(body["result"]) == {"message_id", "date"}
    await call(http, zl, "sendSticker", chat_id=lan.id, sticker="st-1")
    status, body = await call(http, zl, "sendChatAction", chat_id=lan.id, action="typing")
    assert body == {"ok": True, "result": True}
    zl.chat_action_result = "none"
    _, body = await call(http, zl, "sendChatAction", chat_id=lan.id, action="typing")
    assert body == {"ok": True}
    voice = "https://example.invalid/v.aac"
    await call(http, zl, "sendVoice", chat_id=lan.id, voice_url=voice)
    status, body = await call(http, zl, "sendVoice", chat_id=group.id, voice_url=voice)
    assert status == 200 and body["ok"]
    assert [(m.kind, m.text, m.photo) for m in zl.messages(lan)] == [
        ("photo", "ảnh", photo),
        ("sticker", None, None),
        ("voice", None, None),
    ]
    assert [m.kind for m in zl.messages(lan, actions=True)].count("action") == 2
    assert zl.messages(group) == [] and "never delivered" in zl.transcript(group)


async def test_person_events_and_field_choices(
    zl: ZaloEmulator, http: aiohttp.ClientSession
) -> None:
    zl.updates_shape = "list"
    lan = zl.user(name="Lan")
    await lan.send_image("https://example.invalid/a.jpg", caption="minh chứng")
    await lan.send_sticker("sticker-id")
    await lan.send_voice("https://example.invalid/v.aac")
    await lan.send_unsupported()
    zl.photo_field, zl.name_field = "photo_url", "first_name"
    await lan.send_image("https://example.invalid/b.jpg")
    _, body = await call(http, zl, "getUpdates", timeout=1)
    image, sticker, voice, unsupported, image2 = (u["message"] for u in body["result"])
    assert [u["event_name"] for u in body["result"]] == [
        "message.image.received",
        "message.sticker.received",
        "message.voice.received",
        "message.unsupported.received",
        "message.image.received",
    ]
    assert (image["photo"], image["caption"]) == ("https://example.invalid/a.jpg", "minh chứng")
    assert sticker["sticker"] == "sticker-id" and sticker["url"].startswith("https://")
    assert voice["voice_url"] == "https://example.invalid/v.aac"
    assert set(unsupported) == {"from", "chat", "message_id", "date"}
    assert image2["photo_url"] == "https://example.invalid/b.jpg"
    assert image2["from"] == {"id": lan.id, "first_name": "Lan", "is_bot": False}


async def test_fail_next_429(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    lan = zl.user(name="Lan")
    zl.fail_next("sendMessage", 429, count=2)
    for _ in range(2):
        status, body = await call(http, zl, "sendMessage", chat_id=lan.id, text="hi")
        assert status == 429 and body["error_code"] == 429 and not body["ok"]
    status, _ = await call(http, zl, "sendMessage", chat_id=lan.id, text="hi")
    assert status == 200 and len(zl.messages(lan)) == 1
    zl.errors_as = "http200"
    zl.fail_next("sendMessage", 500, description="Máy chủ lỗi")
    status, body = await call(http, zl, "sendMessage", chat_id=lan.id, text="hi")
    assert (status, body["error_code"], body["description"]) == (200, 500, "Máy chủ lỗi")
    zl.fail_next("sendMessage", 502, html=True)
    async with http.post(f"{zl.api_url}{TOKEN}/sendMessage", json={}) as answer:
        assert answer.status == 502 and answer.content_type == "text/html"
        assert "Bad Gateway" in await answer.text()
    assert zl.stats.injected == 4 and zl.stats.calls["sendMessage"] == 5


async def test_drop_connection_next(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    zl.drop_connection_next("getMe")
    with pytest.raises(aiohttp.ClientError):
        await call(http, zl, "getMe")
    status, _ = await call(http, zl, "getMe")
    assert status == 200 and zl.stats.dropped == 1


async def test_wait_reply_wait_for_and_mark(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    lan = zl.user(name="Lan")
    await lan.send("/start")

    async def bot_answers() -> None:
        await asyncio.sleep(0.02)
        for text in ("một", "hai", "ba"):
            await call(http, zl, "sendChatAction", chat_id=lan.id, action="typing")
            await call(http, zl, "sendMessage", chat_id=lan.id, text=text)

    answering = asyncio.create_task(bot_answers())
    reply: ZaloMessage = await zl.wait_reply(lan, timeout=1)
    assert (reply.text, reply.kind, reply.chat_id) == ("một", "text", lan.id)
    more = await zl.wait_for(lan, count=2, timeout=1)
    assert [m.text for m in more] == ["hai", "ba"]
    await answering
    zl.mark(lan)
    with pytest.raises(TimeoutError, match="transcript"):
        await zl.wait_reply(lan, timeout=0.05)
    assert "Lan: /start" in zl.transcript(lan) and "bot: ba" in zl.transcript(lan)


async def test_a_dead_poll_takes_nothing(zl: ZaloEmulator) -> None:
    zl.longest_poll = 5
    async with aiohttp.ClientSession() as session:
        poll = asyncio.create_task(
            session.post(f"{zl.api_url}{TOKEN}/getUpdates", json={"timeout": 5})
        )
        await asyncio.sleep(0.05)
        poll.cancel()
        await asyncio.gather(poll, return_exceptions=True)
    await asyncio.sleep(0.05)
    await zl.user(name="Lan").send("còn đây")
    await asyncio.sleep(0.05)
    assert zl.queued == 1 and zl.stats.handed_out == 0


async def test_console_plays_people(zl: ZaloEmulator, http: aiohttp.ClientSession) -> None:
    out = io.StringIO()
    console = Console(zl, out)
    assert await console.handle("xin chào")
    assert await console.handle(":as Minh")
    assert await console.handle(":in group")
    assert await console.handle("không gắn thẻ")
    assert await console.handle("@Bot Khối thi đua /bangxephang")
    assert await console.handle(":image https://example.invalid/a.jpg minh chứng")
    assert not await console.handle(":quit")
    zl.updates_shape = "list"
    _, body = await call(http, zl, "getUpdates", timeout=1)
    messages = [u["message"] for u in body["result"]]
    assert [m["from"]["display_name"] for m in messages] == ["Lan", "Minh"]
    assert messages[1]["text"] == "@Bot Khối thi đua /bangxephang"
    lan: ZaloUser = zl.user(name="Lan")
    await call(http, zl, "sendMessage", chat_id=lan.id, text="Chào Lan 👋")
    printed = out.getvalue()
    assert "@Bot Khối thi đua" in printed and "Chào Lan 👋" in printed and "────" in printed
