"""The rest of the year on Zalo: `blocbot run` against the Zalo Bot API emulator.

The story of test_year_telegram.py, on Zalo: the evidence is photos (Zalo passes no other
files to bots), every choice is a numbered option answered with its number, and the review
dialog is finished with its typed word. Runs on SQLite and, when configured, on PostgreSQL.
The bloc and its sheets are in tests/e2e/year.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.clock import FrozenClock
from bot.testing.process import BotProcess
from bot.testing.zalo_emulator import ZaloEmulator, ZaloMessage, ZaloUser
from tests.e2e import year
from tests.e2e.season import seeded
from tests.e2e.test_zalo_story import BOT_NAME, option
from tests.e2e.test_zalo_story import zl as zl  # the emulator, long polls of 2 s
from tests.e2e.year import AGENCIES, NAMES, ON_TIME

PHOTO = b"\x89PNG\r\n\x1a\n bien ban hoi nghi"


async def say(zl: ZaloEmulator, user: ZaloUser, text: str, expect: str = "") -> str:
    """Send a text; the bot's first reply that holds ``expect`` (others, such as notices
    the outbox delivers meanwhile, are passed over)."""
    await user.send(text)
    return (await reply(zl, user, expect)).text


async def reply(zl: ZaloEmulator, user: ZaloUser, expect: str, timeout: float = 15) -> ZaloMessage:
    return await zl.wait_reply(user, lambda m: expect in m.text, timeout=timeout)


async def choose(
    zl: ZaloEmulator, user: ZaloUser, options: str, label: str, expect: str = ""
) -> str:
    """Answer the numbered ``options`` (a reply of the bot) with the number of ``label``."""
    return await say(zl, user, option(options, label), expect)


async def photo(zl: ZaloEmulator, user: ZaloUser) -> None:
    """Send a photo to the criterion the evidence dialog is open on."""
    await user.send_image(zl.photo_at(PHOTO, "bien-ban.png", "image/png"), caption="Biên bản")
    await reply(zl, user, "I.1")


async def vote(zl: ZaloEmulator, user: ZaloUser, candidate: str) -> str:
    """The agency's contact votes in the one open ballot; the reply with the receipt."""
    ballot = await say(zl, user, "/bophieu", "Bỏ phiếu kín")
    confirm = await choose(zl, user, ballot, NAMES[candidate], "Phiếu được giữ bí mật")
    return await choose(zl, user, confirm, "Bỏ phiếu", "Mã xác nhận")


async def test_the_rest_of_the_year_on_zalo(
    zl: ZaloEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC))  # the child process runs on the real clock
    codes = await seeded(app, days=7, change=year.the_year)
    operator = zl.user(year.OPERATOR_ZALO, "Quản trị viên")
    bot = BotProcess.against_zalo(
        zl, database_url, tmp_path, operators=f"zalo:{year.OPERATOR_ZALO}"
    ).start()
    try:
        await bot.wait_running()
        people = {
            code: zl.user(f"{n:02d}7fdf0bfb77c99af7e7b0", f"Đầu mối {code}")
            for n, code in enumerate(AGENCIES)
        }
        head = people["nhnn"]

        # Enrolment: each contact sends the agency's code; the head links the group.
        for code, user in people.items():
            assert "cán bộ đầu mối" in await say(zl, user, codes[code], "Xin chào")
        group = zl.group("g-year-2021", "Khối thi đua TW Thái Bình", members=list(people.values()))
        zl.add_bot(group)
        await head.send(f"@{BOT_NAME} /linkgroup {codes['group']}", group=group)
        await zl.wait_reply(group, lambda m: "đã được liên kết" in m.text, timeout=15)

        # Evidence is required for I.1: a sheet without it is not submitted.
        thue = people["thue"]
        await say(zl, thue, "/score", "I.1")
        sheet = await say(zl, thue, year.sheet_lines("thue"), "Tổng điểm: 104")
        refused = await choose(zl, thue, sheet, "Nộp bảng điểm", "I.1")
        assert "/minhchung I.1" in refused or "/evidence I.1" in refused

        # Each agency sends a photo of its minutes to I.1, then submits its sheet.
        for code in ON_TIME:
            user = people[code]
            await say(zl, user, "/minhchung I.1", "I.1")
            await photo(zl, user)
            if code == "nhnn":
                assert "📎 1" in await say(zl, user, "/daxong", "I.1")
            await say(zl, user, "/score")
            sheet = await say(zl, user, year.sheet_lines(code), "Tổng điểm")
            assert "Đã nộp" in await choose(zl, user, sheet, "Nộp bảng điểm", "Đã nộp")
        qltt = people["qltt"]
        await say(zl, qltt, "/score", "I.1")
        await say(zl, qltt, year.sheet_lines("qltt"), "Tổng điểm: 103")  # not submitted

        # The deadline passes; the head reopens Quản lý thị trường's sheet, which is told.
        await year.deadline_passes(app)
        unlocked = await say(zl, head, "/mokhoa qltt", "Cục Quản lý thị trường")
        assert "được mở đến" in unlocked
        told = await reply(zl, qltt, "Trưởng khối đã mở lại bảng tự chấm điểm")
        assert "nộp muộn" in told.text
        await say(zl, qltt, "/evidence I.1", "I.1")
        await photo(zl, qltt)
        sheet = await say(zl, qltt, "/score", "Nộp bảng điểm")
        assert "Đã nộp" in await choose(zl, qltt, sheet, "Nộp bảng điểm", "Đã nộp")

        # The head reviews Thống kê's sheet: two changes with their reasons, then finishes.
        await say(zl, head, "/thamdinh thongke", "I.1")
        saved = await say(zl, head, year.REVIEW, "Đã lưu")
        assert "21 → 19" in saved and "8 → 7" in saved and year.REASON_I1 in saved
        left = await say(zl, head, "xong", "Chưa thẩm định")  # the dialog's typed word
        await choose(zl, head, left, "Kết thúc, giữ nguyên các tiêu chí còn lại", "97")
        thongke = people["thongke"]
        for change, reason in (("21 → 19", year.REASON_I1), ("8 → 7", year.REASON_II1)):
            told = await zl.wait_reply(thongke, lambda m, c=change: c in m.text, timeout=15)
            assert "Thẩm định bảng tự chấm điểm năm 2021" in told.text
            assert f"Lý do: {reason}" in told.text

        # The head marks Cục Thuế (the highest total) not eligible for awards, with the reason.
        state = await say(zl, head, "/dieukien thue", "Cục Thuế")
        await choose(zl, head, state, "Không đủ điều kiện", "lý do")
        confirm = await say(zl, head, year.INELIGIBLE, year.INELIGIBLE)
        changed = await choose(zl, head, confirm, "Xác nhận", "→")
        assert "không đủ điều kiện khen thưởng" in changed

        # Provisional results to the group and every contact: Thuế first but skipped, a tie
        # for the flag between Bảo hiểm xã hội and Kho bạc, the late sheet 5 points down.
        ask = await say(zl, head, "/congbo", "Công bố kết quả tạm thời năm 2021")
        await choose(zl, head, ask, "Công bố", "")
        posted = await zl.wait_reply(group, lambda m: "Kết quả tạm thời" in m.text, timeout=15)
        for user in people.values():
            await reply(zl, user, "Kết quả tạm thời năm thi đua 2021")
        ranking = posted.text
        assert "104" in ranking and "nộp muộn, trừ 5 điểm" in ranking and "97" in ranking
        assert f"Đồng hạng 2 giữa {NAMES['bhxh']}, {NAMES['khobac']}" in ranking
        assert f"{NAMES['thue']}: {year.INELIGIBLE}" in ranking

        # The head opens the secret ballot for the flag: the two tied agencies are the
        # candidates. Three votes are not a quorum of six; the fourth is.
        kinds = await say(zl, head, "/bophieu", "bỏ phiếu kín nào?")
        slate = await choose(
            zl, head, kinds, "Suy tôn đơn vị dẫn đầu (Cờ thi đua)", NAMES["khobac"]
        )
        assert NAMES["bhxh"] in slate and NAMES["thue"] not in slate
        confirm = await say(zl, head, "+1d", "Mở cuộc bỏ phiếu kín")
        assert "/bophieu" in await choose(zl, head, confirm, "Mở cuộc bỏ phiếu", "mở đến")
        for code, choice in (("thongke", "khobac"), ("thue", "khobac"), ("qltt", "bhxh")):
            assert "Mã xác nhận" in await vote(zl, people[code], choice)
        assert "3/6 đơn vị đã bỏ phiếu" in await say(zl, head, "/bophieu status", "3/6")
        await vote(zl, people["khobac"], "khobac")

        # The head closes it: Kho bạc is acclaimed, and the tally goes to the group.
        which = await say(zl, head, "/bophieu close", "Kết thúc ngay")
        closed = await say(zl, head, "1", "Được suy tôn")
        assert "1. " in which
        assert f"Được suy tôn: {NAMES['khobac']}." in closed
        assert "4/6 đơn vị thành viên đã bỏ phiếu (0 phiếu trắng)" in closed
        await zl.wait_reply(group, lambda m: "Được suy tôn" in m.text, timeout=15)

        # The final results: the leading unit is the ballot's choice.
        ask = await say(zl, head, "/congbo", "Công bố kết quả chính thức năm 2021")
        await choose(zl, head, ask, "Công bố", "")
        final = await zl.wait_reply(group, lambda m: "Kết quả thi đua năm" in m.text, timeout=15)
        assert f"• Cờ thi đua của UBND tỉnh: {NAMES['khobac']}\n" in final.text
        leader = f"{NAMES['khobac']} (suy tôn bằng bỏ phiếu kín: 3/4 phiếu)"
        assert leader in final.text and "(bằng điểm: khối quyết định)" not in final.text

        # Next year's head is elected by secret ballot: this year's head is no candidate.
        kinds = await say(zl, head, "/bophieu", "bỏ phiếu kín nào?")
        slate = await choose(zl, head, kinds, "Bầu Trưởng khối năm sau", NAMES["thongke"])
        assert NAMES["nhnn"] not in slate
        confirm = await say(zl, head, "+1d", "Mở cuộc bỏ phiếu kín")
        await choose(zl, head, confirm, "Mở cuộc bỏ phiếu", "mở đến")
        for code, choice in (("thue", "thongke"), ("khobac", "thongke"), ("bhxh", "thongke")):
            await vote(zl, people[code], choice)
        await vote(zl, people["qltt"], "khobac")
        await say(zl, head, "/bophieu close", "Kết thúc ngay")
        elected = await say(zl, head, "1", "Trúng cử")
        assert f"Trúng cử: {NAMES['thongke']}." in elected

        # An operator starts the 2022 season: its head is the one elected (the deputy,
        # elected by no ballot, is named).
        await say(zl, operator, "/khoi tw-thaibinh", "tw-thaibinh")
        asked = await say(zl, operator, "/namoi 2022 thongke nhnn", "2022")
        assert NAMES["thongke"] in asked  # the head the ballot elected
        started = await choose(zl, operator, asked, "Bắt đầu", "2022")
        assert "Năm thi đua 2022 của" in started and "đã bắt đầu" in started
        assert await year.head_of(app, 2022) == "thongke"
        assert "Đơn vị nào?" in await say(zl, thongke, "/dieukien", "?")
        assert "Chỉ Trưởng khối" in await say(zl, head, "/dieukien", "Chỉ Trưởng khối")

        # The audit trail holds; a reviewed value rewritten in the database is found.
        status, said = await year.audit_verify(bot.env)
        assert status == 0, said
        seq, entry = await year.edit_by_hand(app, year.REASON_I1)
        status, said = await year.audit_verify(bot.env)
        assert status == 1, said
        assert f"Mục thứ {seq} (id {entry}) đã bị sửa sau khi được ghi." in said
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-4000:])
