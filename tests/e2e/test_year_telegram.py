"""The rest of the year on Telegram: `blocbot run` against the Bot API emulator.

Six contacts enrol and score with evidence (a PDF, photos); the deadline passes with one sheet
missing and the head reopens it (submitted late, 5 points off); the head reviews one sheet with
two changes and their reasons, which its agency receives; the agency with the highest total
is marked not eligible; the provisional results go to everyone with a tie for the flag; a
secret ballot with a quorum decides the tie; the final results name the acclaimed agency as
the leading unit; a second ballot elects next year's head, and an operator's /newseason 2022
makes it the head. Last, `blocbot audit verify` passes, then finds a row edited by hand.
The bloc and its sheets are in tests/e2e/year.py. Runs on SQLite and, when configured, on
PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.clock import FrozenClock
from bot.testing.process import BotProcess
from bot.testing.telegram_emulator import ChatMessage, FakeUser, TelegramEmulator
from tests.e2e import year
from tests.e2e.season import seeded
from tests.e2e.year import AGENCIES, NAMES, ON_TIME

PDF = b"%PDF-1.4 bao cao tong ket cong tac thu ngan sach"


async def say(tg: TelegramEmulator, user: FakeUser, text: str, expect: str = "") -> str:
    """Send a text; the bot's first reply that holds ``expect`` (others, such as notices
    the outbox delivers meanwhile, are passed over)."""
    await user.send(text)
    return (await reply(tg, user, expect)).text or ""


async def press(tg: TelegramEmulator, user: FakeUser, label: str, expect: str = "") -> str:
    """Press a button of the bot's last message with buttons; the reply holding ``expect``."""
    await user.press(label)
    return (await reply(tg, user, expect)).text or ""


async def reply(
    tg: TelegramEmulator, user: FakeUser, expect: str, timeout: float = 15
) -> ChatMessage:
    return await tg.wait_reply(user, lambda m: expect in (m.text or ""), timeout=timeout)


def buttons(tg: TelegramEmulator, user: FakeUser) -> list[str]:
    """The labels of the bot's last message with buttons to this person."""
    last = next(m for m in reversed(tg.messages(user)) if m.has_inline_keyboard)
    return list(last.labels)


async def vote(tg: TelegramEmulator, user: FakeUser, candidate: str) -> str:
    """The agency's contact votes in the one open ballot; the reply with the receipt."""
    await say(tg, user, "/bophieu", "Bỏ phiếu kín")
    await press(tg, user, NAMES[candidate], "Phiếu được giữ bí mật")
    return await press(tg, user, "Bỏ phiếu", "Mã xác nhận")


async def test_the_rest_of_the_year_on_telegram(
    tg: TelegramEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC))  # the child process runs on the real clock
    codes = await seeded(app, days=7, change=year.the_year)
    operator = tg.user(year.OPERATOR_TELEGRAM, "Quản trị viên")
    bot = BotProcess.against(
        tg, database_url, tmp_path, operators=f"telegram:{year.OPERATOR_TELEGRAM}"
    ).start()
    try:
        await bot.wait_running()
        people = {code: tg.user(2001 + n, f"Đầu mối {code}") for n, code in enumerate(AGENCIES)}
        head = people["nhnn"]

        # Enrolment: each contact links with the agency's code; the head links the group.
        for code, user in people.items():
            assert "cán bộ đầu mối" in await say(tg, user, f"/start {codes[code]}", "Xin chào")
        group = tg.group(-1005678, "Khối thi đua TW Thái Bình", admins=[head])
        for user in people.values():
            await tg.add_to_group(group, user, announce=False)
        await head.send(f"/linkgroup {codes['group']}", chat=group)
        await tg.wait_reply(group, lambda m: "đã được liên kết" in m.text, timeout=15)

        # Evidence is required for I.1: a sheet without it is not submitted.
        thue = people["thue"]
        await say(tg, thue, "/score", "I.1")
        await say(tg, thue, year.sheet_lines("thue"), "Tổng điểm: 104")
        refused = await press(tg, thue, "Nộp bảng điểm", "I.1")
        assert "/minhchung I.1" in refused or "/evidence I.1" in refused

        # The head attaches a PDF to I.1; the others a photo; then each submits its sheet.
        await say(tg, head, "/minhchung I.1", "I.1")
        await head.send_document(
            "bao-cao.pdf", PDF, caption="Báo cáo", mime_type="application/pdf"
        )
        assert "I.1" in (await reply(tg, head, "bao-cao.pdf")).text
        assert "📎 1" in await say(tg, head, "/daxong", "I.1")
        for code in ON_TIME:
            user = people[code]
            if code != "nhnn":
                await say(tg, user, "/evidence I.1", "I.1")
                await user.send_photo(caption="Ảnh biên bản")
                await reply(tg, user, "I.1")
            await say(tg, user, "/score")
            await say(tg, user, year.sheet_lines(code), "Tổng điểm")
            assert "Đã nộp" in await press(tg, user, "Nộp bảng điểm", "Đã nộp")
        qltt = people["qltt"]
        await say(tg, qltt, "/score", "I.1")
        await say(tg, qltt, year.sheet_lines("qltt"), "Tổng điểm: 103")  # not submitted

        # The deadline passes; the head reopens Quản lý thị trường's sheet, which is told.
        await year.deadline_passes(app)
        unlocked = await say(tg, head, "/mokhoa qltt", "Cục Quản lý thị trường")
        assert "được mở đến" in unlocked
        told = await reply(tg, qltt, "Trưởng khối đã mở lại bảng tự chấm điểm")
        assert "nộp muộn" in told.text
        await say(tg, qltt, "/evidence I.1", "I.1")
        await qltt.send_photo(caption="Ảnh biên bản")
        await reply(tg, qltt, "I.1")
        await say(tg, qltt, "/score", "Tổng điểm")
        assert "Đã nộp" in await press(tg, qltt, "Nộp bảng điểm", "Đã nộp")

        # The head reviews Thống kê's sheet: two changes with their reasons, then finishes.
        await say(tg, head, "/thamdinh thongke", "I.1")
        saved = await say(tg, head, year.REVIEW, "Đã lưu")
        assert "21 → 19" in saved and "8 → 7" in saved and year.REASON_I1 in saved
        await press(tg, head, "Kết thúc thẩm định", "Chưa thẩm định")
        await press(tg, head, "Kết thúc, giữ nguyên các tiêu chí còn lại", "97")
        thongke = people["thongke"]
        for change, reason in (("21 → 19", year.REASON_I1), ("8 → 7", year.REASON_II1)):
            told = await tg.wait_reply(thongke, lambda m, c=change: c in m.text, timeout=15)
            assert "Thẩm định bảng tự chấm điểm năm 2021" in told.text
            assert f"Lý do: {reason}" in told.text

        # The head marks Cục Thuế (the highest total) not eligible for awards, with the reason.
        await say(tg, head, "/dieukien thue", "Cục Thuế")
        await press(tg, head, "Không đủ điều kiện", "lý do")
        await say(tg, head, year.INELIGIBLE, year.INELIGIBLE)
        changed = await press(tg, head, "Xác nhận", "→")
        assert "không đủ điều kiện khen thưởng" in changed

        # Provisional results to the group and every contact: Thuế first but skipped, a tie
        # for the flag between Bảo hiểm xã hội and Kho bạc, the late sheet 5 points down.
        await say(tg, head, "/congbo", "Công bố kết quả tạm thời năm 2021")
        await head.press("Công bố")
        posted = await tg.wait_reply(group, lambda m: "Kết quả tạm thời" in m.text, timeout=15)
        for user in people.values():
            await reply(tg, user, "Kết quả tạm thời năm thi đua 2021")
        ranking = posted.text
        assert "104" in ranking and "nộp muộn, trừ 5 điểm" in ranking and "97" in ranking
        assert f"Đồng hạng 2 giữa {NAMES['bhxh']}, {NAMES['khobac']}" in ranking
        assert f"{NAMES['thue']}: {year.INELIGIBLE}" in ranking

        # The head opens the secret ballot for the flag: the two tied agencies are the
        # candidates. Three votes are not a quorum of six; the fourth is.
        await say(tg, head, "/bophieu", "bỏ phiếu kín nào?")
        slate = await press(tg, head, "Suy tôn đơn vị dẫn đầu (Cờ thi đua)", NAMES["khobac"])
        assert NAMES["bhxh"] in slate and NAMES["thue"] not in slate
        await say(tg, head, "+1d", "Mở cuộc bỏ phiếu kín")
        assert "/bophieu" in await press(tg, head, "Mở cuộc bỏ phiếu", "mở đến")
        for code, choice in (("thongke", "khobac"), ("thue", "khobac"), ("qltt", "bhxh")):
            assert "Mã xác nhận" in await vote(tg, people[code], choice)
        assert "3/6 đơn vị đã bỏ phiếu" in await say(tg, head, "/bophieu status", "3/6")
        await vote(tg, people["khobac"], "khobac")

        # The head closes it: Kho bạc is acclaimed, and the tally goes to the group.
        await say(tg, head, "/bophieu close", "Kết thúc ngay")
        closed = await press(tg, head, buttons(tg, head)[0], "Được suy tôn")
        assert f"Được suy tôn: {NAMES['khobac']}." in closed
        assert "4/6 đơn vị thành viên đã bỏ phiếu (0 phiếu trắng)" in closed
        await tg.wait_reply(group, lambda m: "Được suy tôn" in m.text, timeout=15)

        # The final results: the leading unit is the ballot's choice.
        await say(tg, head, "/congbo", "Công bố kết quả chính thức năm 2021")
        await head.press("Công bố")
        final = await tg.wait_reply(group, lambda m: "Kết quả thi đua năm" in m.text, timeout=15)
        assert f"• Cờ thi đua của UBND tỉnh: {NAMES['khobac']}\n" in final.text
        leader = f"{NAMES['khobac']} (suy tôn bằng bỏ phiếu kín: 3/4 phiếu)"
        assert leader in final.text and "(bằng điểm: khối quyết định)" not in final.text

        # Next year's head is elected by secret ballot: this year's head is no candidate.
        await say(tg, head, "/bophieu", "bỏ phiếu kín nào?")
        slate = await press(tg, head, "Bầu Trưởng khối năm sau", NAMES["thongke"])
        assert NAMES["nhnn"] not in slate
        await say(tg, head, "+1d", "Mở cuộc bỏ phiếu kín")
        await press(tg, head, "Mở cuộc bỏ phiếu", "mở đến")
        for code, choice in (("thue", "thongke"), ("khobac", "thongke"), ("bhxh", "thongke")):
            await vote(tg, people[code], choice)
        await vote(tg, people["qltt"], "khobac")
        await say(tg, head, "/bophieu close", "Kết thúc ngay")
        elected = await press(tg, head, buttons(tg, head)[0], "Trúng cử")
        assert f"Trúng cử: {NAMES['thongke']}." in elected

        # An operator starts the 2022 season: its head is the one elected (the deputy,
        # elected by no ballot, is named).
        await say(tg, operator, "/khoi tw-thaibinh", "tw-thaibinh")
        asked = await say(tg, operator, "/namoi 2022 thongke nhnn", "2022")
        assert NAMES["thongke"] in asked  # the head the ballot elected
        await operator.press("Bắt đầu")  # the question becomes the answer: wait for the post
        await tg.wait_reply(group, lambda m: "Năm thi đua 2022 của" in (m.text or ""), timeout=15)
        assert await year.head_of(app, 2022) == "thongke"
        assert "Đơn vị nào?" in await say(tg, thongke, "/dieukien", "?")
        assert "Chỉ Trưởng khối" in await say(tg, head, "/dieukien", "Chỉ Trưởng khối")

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
