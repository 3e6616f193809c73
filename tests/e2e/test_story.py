"""The whole season on the real Telegram channel: `blocbot run` against the Bot API emulator.

Eight contacts enrol (one first mistypes the code), the head links the group, every sheet is
filled (step by step, by lines, one with every kind of bad input), the bot is killed with
SIGKILL in the middle of a sheet and started again, the head looks at the standings and
announces, and the group receives the final ranking and the leading unit. Runs on SQLite and,
when configured, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import App
from bot.clock import FrozenClock
from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator
from tests.e2e.season import seeded

AGENCIES = ["nhnn", "thue", "khobac", "thongke", "dutru", "bhxh", "haiquan", "qltt"]
REST = [
    "I.2 9,5", "I.3 5", "II.1 8", "II.2 7", "III.1 10", "IV.1 có", "IV.2 5", "V.1 5",
    "V.2 4.5", "VI.1 5", "VI.2 5", "VII.1 5", "B.1 5", "B.2 3", "D.1 0", "D.2 0",
]  # fmt: skip
STEPS = ["9,5", "5", "8", "7", "10", "có", "5", "5", "4.5", "5", "5", "5", "5", "3", "0", "0"]


def sheet_lines(first: int) -> str:
    """A full sheet whose total is 79 + first (so I.1 decides the order)."""
    return "\n".join([f"I.1 {first}", *REST])


async def say(tg: TelegramEmulator, user: FakeUser, text: str, replies: int = 1) -> str:
    await user.send(text)
    return "\n".join(m.text for m in await tg.wait_for(user, count=replies, timeout=10))


async def press(tg: TelegramEmulator, user: FakeUser, label: str, replies: int = 1) -> str:
    await user.press(label)
    return "\n".join(m.text for m in await tg.wait_for(user, count=replies, timeout=10))


async def step(tg: TelegramEmulator, user: FakeUser, value: str) -> str:
    """Answer the criterion asked; the same score typed again at once makes the bot ask whether
    it is meant for this criterion too (it could be a re-sent answer): yes."""
    reply = await say(tg, user, value)
    if " cũng là điểm của " in reply:
        code = reply.rpartition(" cũng là điểm của ")[2].split()[0]
        reply = await press(tg, user, f"Lưu {value} cho {code}")
    return reply


def no_time_to_object(data: dict[str, Any]) -> None:
    data["season"]["results"] = {"objection_days": 0}


async def test_a_whole_season_on_telegram(
    tg: TelegramEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC))  # the child process runs on the real clock
    codes = await seeded(app, days=7, change=no_time_to_object)
    bot = BotProcess.against(tg, database_url, tmp_path).start()
    try:
        await bot.wait_running()
        people = {code: tg.user(1001 + n, f"Đầu mối {code}") for n, code in enumerate(AGENCIES)}
        head = people["nhnn"]

        # Enrolment: one person mistypes first.
        assert "Mã mời không đúng" in await say(tg, people["dutru"], "/start ACDE3467FGHJ")
        for code, user in people.items():
            greeting = await say(tg, user, f"/start {codes[code]}")
            assert "Xin chào" in greeting and "cán bộ đầu mối" in greeting
        assert "Trưởng khối" in await say(tg, head, "/start")

        # The head links the bloc's group; an ordinary contact could not.
        group = tg.group(-1001234, "Khối thi đua TW Thái Bình", admins=[head])
        for user in people.values():
            await tg.add_to_group(group, user, announce=False)
        await people["thue"].send(f"/linkgroup {codes['group']}", chat=group)
        assert "Chỉ Trưởng khối" in (await tg.wait_reply(group, timeout=10)).text
        await head.send(f"/linkgroup {codes['group']}", chat=group)
        assert "đã được liên kết" in (await tg.wait_reply(group, timeout=10)).text

        # Thuế: every kind of bad input first, then the whole sheet by lines.
        thue = people["thue"]
        assert "I.1 —" in await say(tg, thue, "/score")
        assert "không phải là số" in await say(tg, thue, "mười")
        assert "không được nhỏ hơn 0" in await say(tg, thue, "-1")
        assert "vượt quá điểm tối đa của I.1" in await say(tg, thue, "30")
        assert "không phải bội số của 0,5" in await say(tg, thue, "8,3")
        assert "không có tiêu chí I.9" in await say(tg, thue, "I.9 5")
        review = await say(tg, thue, sheet_lines(24))
        assert "Tổng điểm: 103" in review
        assert "Đã nộp" in await press(tg, thue, "Nộp bảng điểm")

        # Thống kê: step by step; the bot is killed in the middle and started again.
        thongke = people["thongke"]
        await say(tg, thongke, "/chamdiem")
        await say(tg, thongke, "22")
        for value in STEPS[:5]:
            await say(tg, thongke, value)
        assert await bot.kill() != 0
        bot.start()
        await bot.wait_running()
        resumed = await say(tg, thongke, "/score")
        assert "đã chấm 6/17" in resumed and "IV.1 —" in resumed
        for value in STEPS[5:]:
            last = await step(tg, thongke, value)
        assert "Tổng điểm: 101" in last
        await press(tg, thongke, "Nộp bảng điểm")

        # Everyone else: by lines (nhnn leads with 104), Kho bạc step by step.
        khobac = people["khobac"]
        await say(tg, khobac, "/score")
        for value in ["23", *STEPS]:
            await step(tg, khobac, value)
        await press(tg, khobac, "Nộp bảng điểm")
        for code, first in [("nhnn", 25), ("dutru", 21), ("bhxh", 20), ("haiquan", 19)]:
            await say(tg, people[code], "/score")
            await say(tg, people[code], sheet_lines(first))
            await press(tg, people[code], "Nộp bảng điểm")
        await say(tg, people["qltt"], "/score")
        await say(tg, people["qltt"], sheet_lines(18))  # not submitted

        # Only leaders see the provisional ranking; strangers and members cannot announce.
        stranger = tg.user(4040, "Người lạ")
        assert "chưa liên kết" in await say(tg, stranger, "/announce")
        assert "Chỉ Trưởng khối hoặc quản trị viên" in await say(tg, people["bhxh"], "/congbo")
        member_view = await say(tg, people["bhxh"], "/standings")
        assert "104" not in member_view and "đã nộp 7/8" in member_view
        standings = await say(tg, head, "/xephang")
        assert standings.index("Ngân hàng Nhà nước") < standings.index("Cục Thuế")
        assert "104" in standings and "103" in standings

        # The head publishes the provisional results to everyone, then (no time is given
        # to object in this bloc) the final ones; the group gets the ranking and the leader.
        assert "Công bố kết quả tạm thời năm 2021" in await say(tg, head, "/announce")
        await head.press("Công bố")
        published = await tg.wait_reply(group, lambda m: "Kết quả tạm thời" in m.text, timeout=15)
        assert "Ngân hàng Nhà nước" in published.text
        await tg.wait_reply(head, lambda m: m.text.startswith("Kết quả tạm thời"), timeout=15)
        assert "104" in await say(tg, people["bhxh"], "/standings")
        assert "Công bố kết quả chính thức năm 2021" in await say(tg, head, "/announce")
        await head.press("Công bố")
        post = await tg.wait_reply(group, lambda m: "Kết quả thi đua năm" in m.text, timeout=15)
        assert "Đơn vị dẫn đầu: Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Thái Bình" in post.text
        assert post.text.index("Cục Thuế") < post.text.index("Kho bạc")
        assert "Cục Quản lý thị trường" in post.text  # listed as not ranked
        for user in (thue, people["qltt"]):
            dm = await tg.wait_reply(user, lambda m: "Kết quả thi đua năm" in m.text, timeout=15)
            assert "Kết quả thi đua năm 2021" in dm.text
        final = await say(tg, people["bhxh"], "/standings")
        assert "Đơn vị dẫn đầu" in final
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-4000:])
