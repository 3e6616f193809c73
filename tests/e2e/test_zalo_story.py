"""The whole season on the real Zalo channel: `blocbot run` against the Zalo Bot API emulator.

The story of test_story.py, on Zalo: eight contacts enrol (one first mistypes the code; most
send the code alone, as Zalo has no deep links), the head links the group with an @mention,
every sheet is filled (step by step, by lines, one with every kind of bad input), the bot is
killed with SIGKILL in the middle of a sheet and started again (by webhook, the update it had
in hand is taken again once its claim runs out), the head looks at the standings
and announces, and the group receives the final ranking and the leading unit. Choices are
numbered options answered with their number. Runs by long polling and by webhook, on SQLite
and, when configured, on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.testing.process import BotProcess
from bot.testing.serving import free_port
from bot.testing.zalo_emulator import ZaloEmulator, ZaloUser
from tests.e2e.season import seeded
from tests.e2e.test_story import no_time_to_object

AGENCIES = ["nhnn", "thue", "khobac", "thongke", "dutru", "bhxh", "haiquan", "qltt"]
REST = [
    "I.2 9,5", "I.3 5", "II.1 8", "II.2 7", "III.1 10", "IV.1 có", "IV.2 5", "V.1 5",
    "V.2 4.5", "VI.1 5", "VI.2 5", "VII.1 5", "B.1 5", "B.2 3", "D.1 0", "D.2 0",
]  # fmt: skip
STEPS = ["9,5", "5", "8", "7", "10", "có", "5", "5", "4.5", "5", "5", "5", "5", "3", "0", "0"]
BOT_NAME = "Bot Khối thi đua"
SECRET = "s3cret-webhook-token"
LIMIT = 2000  # UTF-16 units in one Zalo message


def sheet_lines(first: int) -> str:
    """A full sheet whose total is 79 + first (so I.1 decides the order)."""
    return "\n".join([f"I.1 {first}", *REST])


@pytest.fixture
async def zl() -> AsyncIterator[ZaloEmulator]:
    async with ZaloEmulator(bot_name=BOT_NAME) as emulator:
        emulator.longest_poll = 2
        yield emulator


async def say(zl: ZaloEmulator, user: ZaloUser, text: str, replies: int = 1) -> str:
    await user.send(text)
    return "\n".join(m.text for m in await zl.wait_for(user, count=replies, timeout=10))


def option(text: str, label: str) -> str:
    """The number of the option ``label`` in a message with numbered options."""
    found = re.search(rf"^(\d+)\. {re.escape(label)}$", text, re.MULTILINE)
    assert found, f"no option {label!r} in:\n{text}"
    return found[1]


async def choose(zl: ZaloEmulator, user: ZaloUser, label: str, replies: int = 1) -> str:
    """Answer the last numbered options with the number of ``label``."""
    last = zl.last(user)
    assert last is not None
    return await say(zl, user, option(last.text, label), replies)


async def step(zl: ZaloEmulator, user: ZaloUser, value: str) -> str:
    """Answer the criterion asked; when the bot asks whether a repeated score is meant for the
    next criterion too, say so ("lưu")."""
    reply = await say(zl, user, value)
    if " cũng là điểm của " in reply:
        reply = await say(zl, user, "lưu")
    return reply


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_whole_season_on_zalo(
    zl: ZaloEmulator,
    app: App,
    clock: FrozenClock,
    database_url: str,
    tmp_path: Path,
    mode: str,
) -> None:
    clock.set(datetime.now(UTC))  # the child process runs on the real clock
    codes = await seeded(app, days=7, change=no_time_to_object)
    settings = {}
    if mode == "webhook":
        zl.webhook_body = "bare"  # the other shape the sources describe
        settings = {"webhook_url": "http://127.0.0.1:0", "webhook_secret": SECRET}
        # The update in hand when the bot is killed is the restarted one's after this lease.
        settings["inbox_lease"] = "2"
    bot = BotProcess.against_zalo(zl, database_url, tmp_path, **settings)
    if mode == "webhook":
        # The webhook's address is known once the child listens: a fixed free port.
        port = free_port()
        bot.env["BLOCBOT_LISTEN"] = f"127.0.0.1:{port}"
        bot.env["BLOCBOT_WEBHOOK_URL"] = f"http://127.0.0.1:{port}"
    bot.start()
    try:
        await bot.wait_running()
        if mode == "webhook":
            assert zl.webhook["url"].startswith(f"http://127.0.0.1:{port}/webhook/zalo/")
            assert "12345689" not in zl.webhook["url"]  # the path never shows the token
        people = {
            code: zl.user(f"{n:02d}6ede9afa66b88fe6d6a9", f"Đầu mối {code}")
            for n, code in enumerate(AGENCIES)
        }
        head = people["nhnn"]

        # Enrolment: one person mistypes first; the code alone links, as /start CODE does.
        assert "Mã mời không đúng" in await say(zl, people["dutru"], "/start ACDE3467FGHJ")
        for number, (code, user) in enumerate(people.items()):
            typed = codes[code] if number % 2 else f"/start {codes[code]}"
            greeting = await say(zl, user, typed)
            assert "Xin chào" in greeting and "cán bộ đầu mối" in greeting
        assert "Trưởng khối" in await say(zl, head, "/start")

        # The head links the bloc's group with an @mention; chatter is not for the bot.
        group = zl.group(
            "g-8f1e2d3c4b5a", "Khối thi đua TW Thái Bình", members=list(people.values())
        )
        zl.add_bot(group)
        await people["bhxh"].send("Chào cả nhà, năm nay chấm điểm sớm nhé", group=group)
        await people["thue"].send(f"@{BOT_NAME} /linkgroup {codes['group']}", group=group)
        assert "Chỉ Trưởng khối" in (await zl.wait_reply(group, timeout=10)).text
        await head.send(f"@{BOT_NAME} /linkgroup {codes['group']}", group=group)
        assert "đã được liên kết" in (await zl.wait_reply(group, timeout=10)).text
        assert all("Chào cả nhà" not in m.text for m in zl.messages(group))

        # Thuế: every kind of bad input first, then the whole sheet by lines.
        thue = people["thue"]
        assert "I.1 —" in await say(zl, thue, "/score")
        assert "không phải là số" in await say(zl, thue, "mười")
        assert "không được nhỏ hơn 0" in await say(zl, thue, "-1")
        assert "vượt quá điểm tối đa của I.1" in await say(zl, thue, "30")
        assert "không phải bội số của 0,5" in await say(zl, thue, "8,3")
        assert "không có tiêu chí I.9" in await say(zl, thue, "I.9 5")
        review = await say(zl, thue, sheet_lines(24))
        assert "Tổng điểm: 103" in review and option(review, "Nộp bảng điểm")
        assert all(m.units <= LIMIT for m in zl.messages(thue))
        assert "Đã nộp" in await choose(zl, thue, "Nộp bảng điểm")

        # Thống kê: step by step; the bot is killed in the middle and started again.
        thongke = people["thongke"]
        await say(zl, thongke, "/chamdiem")
        await say(zl, thongke, "22")
        for value in STEPS[:5]:
            await say(zl, thongke, value)
        assert await bot.kill() != 0
        bot.start()
        await bot.wait_running()
        resumed = await say(zl, thongke, "/score")
        assert "đã chấm 6/17" in resumed and "IV.1 —" in resumed
        for value in STEPS[5:]:
            last = await step(zl, thongke, value)
        assert "Tổng điểm: 101" in last
        await choose(zl, thongke, "Nộp bảng điểm")

        # Everyone else: by lines (nhnn leads with 104), Kho bạc step by step.
        khobac = people["khobac"]
        await say(zl, khobac, "/score")
        for value in ["23", *STEPS]:
            await step(zl, khobac, value)
        await choose(zl, khobac, "Nộp bảng điểm")
        for code, first in [("nhnn", 25), ("dutru", 21), ("bhxh", 20), ("haiquan", 19)]:
            await say(zl, people[code], "/score")
            await say(zl, people[code], sheet_lines(first))
            await choose(zl, people[code], "Nộp bảng điểm")
        await say(zl, people["qltt"], "/score")
        await say(zl, people["qltt"], sheet_lines(18))  # not submitted

        # A photo, a sticker and a message whose content Zalo withheld are answered kindly.
        await people["qltt"].send_image("https://example.invalid/bien-ban.jpg", caption="ảnh")
        assert "chỉ đọc được văn bản" in (await zl.wait_reply(people["qltt"], timeout=10)).text
        await people["qltt"].send_unsupported()
        assert "không kèm nội dung" in (await zl.wait_reply(people["qltt"], timeout=10)).text

        # Only leaders see the provisional ranking; strangers and members cannot announce.
        stranger = zl.user("0b5e6c7d8e9f0a1b2c3d", "Người lạ")
        assert "chưa liên kết" in await say(zl, stranger, "/announce")
        assert "Chỉ Trưởng khối hoặc quản trị viên" in await say(zl, people["bhxh"], "/congbo")
        member_view = await say(zl, people["bhxh"], "/standings")
        assert "104" not in member_view and "đã nộp 7/8" in member_view
        standings = await say(zl, head, "/xephang")
        assert standings.index("Ngân hàng Nhà nước") < standings.index("Cục Thuế")
        assert "104" in standings and "103" in standings

        # The head publishes the provisional results, then (no time to object here) the
        # final ones; the group gets the ranking and the leading unit.
        assert "Công bố kết quả tạm thời năm 2021" in await say(zl, head, "/announce")
        await choose(zl, head, "Công bố")
        await zl.wait_reply(head, lambda m: m.text.startswith("Kết quả tạm thời"), timeout=15)
        assert "Công bố kết quả chính thức năm 2021" in await say(zl, head, "/announce")
        await choose(zl, head, "Công bố")
        post = await zl.wait_reply(group, lambda m: "Kết quả thi đua năm" in m.text, timeout=15)
        assert "Đơn vị dẫn đầu: Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Thái Bình" in post.text
        assert post.text.index("Cục Thuế") < post.text.index("Kho bạc")
        for user in (thue, people["qltt"]):
            dm = await zl.wait_reply(user, lambda m: "Kết quả thi đua năm" in m.text, timeout=15)
            assert "Kết quả thi đua năm 2021" in dm.text
        final = await say(zl, people["bhxh"], "/standings")
        assert "Đơn vị dẫn đầu" in final
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-4000:])
