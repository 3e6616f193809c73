"""The Zalo channel's promises, end to end: `blocbot run` against the Zalo Bot API emulator.

A webhook with a wrong secret and a duplicated delivery change nothing; /healthz and /metrics
tell what the bot does; a bot that cannot be in groups sends the group's posts to each contact;
a long review arrives as two messages under Zalo's limit; and a bloc whose contacts are split
between Telegram and Zalo gets every reminder and the results once on each linked platform.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.testing.process import BotProcess
from bot.testing.serving import free_port
from bot.testing.telegram_emulator import TelegramEmulator
from bot.testing.zalo_emulator import JoinRefused, ZaloEmulator, ZaloUser
from tests.e2e.season import seeded
from tests.e2e.test_story import no_time_to_object

BOT_NAME = "Bot Khối thi đua"
SECRET = "s3cret-webhook-token"
LIMIT = 2000


@pytest.fixture
async def zl() -> AsyncIterator[ZaloEmulator]:
    async with ZaloEmulator(bot_name=BOT_NAME) as emulator:
        emulator.longest_poll = 2
        yield emulator


def webhook_bot(zl: ZaloEmulator, database_url: str, tmp_path: Path) -> BotProcess:
    port = free_port()
    return BotProcess.against_zalo(
        zl,
        database_url,
        tmp_path,
        listen=f"127.0.0.1:{port}",
        webhook_url=f"http://127.0.0.1:{port}",
        webhook_secret=SECRET,
    )


def no_quiet_time(data: dict[str, Any]) -> None:
    data["bloc"]["quiet_hours"] = False


async def say(zl: ZaloEmulator, user: ZaloUser, text: str) -> str:
    await user.send(text)
    return (await zl.wait_reply(user, timeout=10)).text


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def metric(text: str, name: str) -> float:
    """The sum of every sample of ``name`` (all labels) in a Prometheus exposition."""
    return sum(
        float(line.rpartition(" ")[2])
        for line in text.splitlines()
        if line.startswith(name) and not line.startswith("#")
    )


async def test_webhook_secret_duplicates_health_and_metrics(
    zl: ZaloEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC))
    codes = await seeded(app, days=30)  # no reminder due
    bot = webhook_bot(zl, database_url, tmp_path).start()
    try:
        await bot.wait_running()
        lan = zl.user("6ede9afa66b88fe6d6a9", "Lan")
        assert "Xin chào" in await say(zl, lan, codes["thue"])

        # A request without the right secret is refused and changes nothing.
        forged = {
            "event_name": "message.text.received",
            "message": {
                "from": {"id": lan.id, "display_name": "Lan", "is_bot": False},
                "chat": {"id": lan.id, "chat_type": "PRIVATE"},
                "text": "/score",
                "message_id": "f0rg3d0000000000",
                "date": zl.now_ms(),
            },
        }
        assert await zl.post_webhook(forged, "wrong-secret-123") == 403
        assert await zl.post_webhook(forged, None) == 403
        # A duplicated delivery is answered once.
        zl.duplicate_next()
        assert "I.1 —" in await say(zl, lan, "/score")
        await zl.webhook_drained()
        assert [m.text for m in zl.messages(lan)].count(zl.messages(lan)[-1].text) == 1
        assert sum(d.duplicate for d in zl.deliveries) == 1
        # So is a replay of an earlier update: I.1 is asked once, and 22 is stored once.
        sent = await lan.send("22")
        await zl.wait_reply(lan, timeout=10)
        await zl.replay(sent.message_id)
        await zl.webhook_drained()
        with pytest.raises(TimeoutError):
            await zl.wait_reply(lan, timeout=1)

        status, health = await get(f"{bot.web_url}/healthz")
        assert status == 200 and '"healthy": true' in health and '"zalo"' in health
        status, before = await get(f"{bot.web_url}/metrics")
        assert status == 200
        assert metric(before, 'blocbot_webhook_refused_total{platform="zalo"}') == 2
        assert metric(before, 'blocbot_updates_total{outcome="duplicate",platform="zalo"}') == 2
        handled = metric(before, 'blocbot_updates_total{outcome="handled",platform="zalo"}')
        for value in ["9,5", "5"]:
            await say(zl, lan, value)
        _status, after = await get(f"{bot.web_url}/metrics")
        assert (
            metric(after, 'blocbot_updates_total{outcome="handled",platform="zalo"}')
            == handled + 2
        )
        assert metric(after, "blocbot_reply_seconds_count") >= handled + 2
        assert metric(after, "blocbot_conversations_in_progress") >= 1
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-3000:])


async def test_without_groups_the_group_posts_come_directly(
    app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC))
    codes = await seeded(app, days=7, change=no_quiet_time)
    async with ZaloEmulator(bot_name=BOT_NAME, can_join_groups=False) as zl:
        zl.longest_poll = 2
        bot = BotProcess.against_zalo(zl, database_url, tmp_path).start()
        try:
            await bot.wait_running()
            assert "cannot be in groups" in bot.log or "không tham gia được nhóm" in bot.log
            group = zl.group("g-1", "Khối thi đua TW Thái Bình")
            with pytest.raises(JoinRefused):
                zl.add_bot(group)
            head, thue = zl.user("z-head", "Trưởng khối"), zl.user("z-thue", "Thuế")
            await say(zl, head, codes["nhnn"])
            await say(zl, thue, codes["thue"])
            zl.mark(thue)

            told = await say(zl, head, "/remind")
            assert "1 tin đăng nhóm" not in told

            nudge = await zl.wait_reply(thue, lambda m: "Trưởng khối nhắc" in m.text, 10)
            post = await zl.wait_reply(thue, lambda m: "Đã nhắc các đơn vị" in m.text, 10)
            assert "Cục Thuế" in nudge.text and "Cục Thuế" in post.text
            assert await bot.stop() == 0
        finally:
            if bot.running:
                await bot.kill()
            print(bot.log[-3000:])


def long_titles(data: dict[str, Any]) -> None:
    """A table as long as some provinces write it: 30 more criteria, so the review passes
    2,500 characters."""
    data["season"]["criteria"][1]["items"] += [
        {"code": f"II.{n}", "title": f"Nhiệm vụ 🏆 chuyên đề số {n} của năm", "max": 1}
        for n in range(3, 33)
    ]


async def test_a_long_review_arrives_as_two_messages_under_the_limit(
    zl: ZaloEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC))
    codes = await seeded(app, days=30, change=long_titles)
    bot = BotProcess.against_zalo(zl, database_url, tmp_path).start()
    try:
        await bot.wait_running()
        thue = zl.user("z-thue", "Thuế")
        await say(zl, thue, codes["thue"])
        await say(zl, thue, "/score")
        lines = "\n".join(
            [
                *("I.1 24", "I.2 9,5", "I.3 5", "II.1 8", "II.2 7", "III.1 10", "IV.1 có"),
                *("IV.2 5", "V.1 5", "V.2 4.5", "VI.1 5", "VI.2 5", "VII.1 5", "B.1 5"),
                *("B.2 3", "D.1 0", "D.2 0"),
            ]
        )
        assert "II.3 —" in await say(zl, thue, lines)  # the first criterion left
        await thue.send("xem lại")
        first, second = await zl.wait_for(thue, count=2, timeout=10)
        review = first.text + "\n" + second.text
        assert len(review) > 2500 and "II.32" in review and "Tổng điểm" in second.text
        assert first.units <= LIMIT and second.units <= LIMIT
        assert "\n1. " in second.text  # the numbered options come with the last part
        with pytest.raises(TimeoutError):
            await zl.wait_reply(thue, timeout=1)
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-3000:])


async def test_a_bloc_split_between_telegram_and_zalo_hears_everything_once_per_platform(
    zl: ZaloEmulator,
    tg: TelegramEmulator,
    app: App,
    clock: FrozenClock,
    database_url: str,
    tmp_path: Path,
) -> None:
    clock.set(datetime.now(UTC))

    def quick(data: dict[str, Any]) -> None:
        no_quiet_time(data)
        no_time_to_object(data)

    codes = await seeded(app, days=30, change=quick)  # nothing due yet
    bot = BotProcess.against(
        tg, database_url, tmp_path, zalo_token="12345689:abc-xyz", zalo_base_url=zl.api_url
    ).start()
    try:
        await bot.wait_running()
        assert "zalo: Bot Khối thi đua (polling)" in bot.log
        head = tg.user(1001, "Trưởng khối")
        thue_tg, thue_zalo = tg.user(1002, "Thuế"), zl.user("z-thue", "Thuế")  # one person
        khobac = zl.user("z-khobac", "Kho bạc")  # on Zalo only
        await head.send(f"/start {codes['nhnn']}")
        await thue_tg.send(f"/start {codes['thue']}")
        for user in (head, thue_tg):
            assert "Xin chào" in (await tg.wait_reply(user, timeout=10)).text
        for user in (thue_zalo, khobac):
            assert "Xin chào" in await say(zl, user, codes[user.id.removeprefix("z-")])
        group = tg.group(-1004321, "Khối thi đua TW Thái Bình", admins=[head])
        for user in (head, thue_tg):
            await tg.add_to_group(group, user, announce=False)
        await head.send(f"/linkgroup {codes['group']}", chat=group)
        assert "đã được liên kết" in (await tg.wait_reply(group, timeout=10)).text
        await head.send("/progress")
        progress = (await tg.wait_reply(head, timeout=10)).text
        assert "Telegram, Zalo" in progress  # Cục Thuế is reachable on both

        # The deadline moves to two days from now: the 7-day and 3-day reminders are due.
        async with app.uow() as uow:
            row = await uow.blocs.get("tw-thaibinh")
            assert row is not None
            bloc = row.id
        calendar = await app.services.events.calendar(bloc)
        deadline = calendar.scoring_deadline
        assert deadline is not None
        await app.services.events.move(bloc, deadline.id, datetime.now(UTC) + timedelta(days=2))
        await bot.stop()
        bot.start()  # the calendar is read at start
        await bot.wait_running()

        def reminder(message: Any) -> bool:
            return "Nhắc việc" in message.text and "Gửi /score để hoàn thành" in message.text

        def group_post(message: Any) -> bool:
            return "Nhắc việc" in message.text and "đơn vị đã nộp bảng điểm" in message.text

        await tg.wait_reply(thue_tg, reminder, timeout=15)
        await zl.wait_reply(thue_zalo, reminder, timeout=15)
        await zl.wait_reply(khobac, reminder, timeout=15)
        await tg.wait_reply(group, group_post, timeout=15)

        # The results, provisional then final, once on each platform.
        await head.send("/announce")
        await tg.wait_reply(head, lambda m: "kết quả tạm thời" in m.text, timeout=10)
        await head.press("Công bố")
        await tg.wait_reply(head, lambda m: m.text.startswith("Kết quả tạm thời"), timeout=15)
        await head.send("/announce")
        await tg.wait_reply(head, lambda m: "kết quả chính thức" in m.text, timeout=10)
        await head.press("Công bố")
        for wait in (
            tg.wait_reply(group, lambda m: "Kết quả thi đua năm" in m.text, timeout=15),
            tg.wait_reply(thue_tg, lambda m: "Kết quả thi đua năm" in m.text, timeout=15),
            zl.wait_reply(thue_zalo, lambda m: "Kết quả thi đua năm" in m.text, timeout=15),
            zl.wait_reply(khobac, lambda m: "Kết quả thi đua năm" in m.text, timeout=15),
        ):
            await wait
        await bot.stop()
        reminders = {
            "thue on telegram": sum(map(reminder, tg.messages(thue_tg))),
            "thue on zalo": sum(map(reminder, zl.messages(thue_zalo))),
            "khobac on zalo": sum(map(reminder, zl.messages(khobac))),
        }
        assert reminders == dict.fromkeys(reminders, 1)
        # the group's post: in the group on Telegram, directly on Zalo, where there is none
        posts = [
            sum(map(group_post, messages))
            for messages in (
                tg.messages(group),
                tg.messages(thue_tg),
                zl.messages(thue_zalo),
                zl.messages(khobac),
            )
        ]
        assert posts == [1, 0, 1, 1]
        results = [
            sum("Kết quả thi đua năm" in m.text for m in messages)
            for messages in (
                tg.messages(group),
                tg.messages(thue_tg),
                zl.messages(thue_zalo),
                zl.messages(khobac),
            )
        ]
        assert results == [1, 1, 1, 1]
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-4000:])


async def until_status(url: str, status: int, timeout: float = 15.0) -> str:
    """Ask /healthz until it answers ``status`` (the poller's pauses are seconds long)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got, body = await get(url)
        if got == status:
            return body
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"/healthz still answers {got}: {body}")
        await asyncio.sleep(0.2)


async def test_healthz_says_when_zalo_cannot_be_reached_and_when_it_is_back(
    zl: ZaloEmulator, app: App, database_url: str, tmp_path: Path
) -> None:
    bot = BotProcess.against_zalo(zl, database_url, tmp_path).start()
    try:
        await bot.wait_running()
        health = f"{bot.web_url}/healthz"
        await until_status(health, 200)
        port = zl.port
        await zl.stop()
        down = await until_status(health, 503)
        assert '"healthy": false' in down and '"zalo"' in down
        assert "Could not read messages from Zalo" in bot.log or "Không nhận được" in bot.log
        await zl.start(port=port)
        await until_status(health, 200)
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-3000:])
