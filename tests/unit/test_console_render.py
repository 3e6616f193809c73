"""How the console shows the bot's messages after ``:on zalo`` and ``:on telegram``."""

from __future__ import annotations

from bot.channels.console_render import Bubble, Look, Press, Screen
from bot.channels.text import ZALO_LIMIT, render_options, utf16_units
from bot.handlers.model import Button, Outgoing

SUBMIT = Button("Nộp bảng điểm", "sc:submit:abc", "nộp")
EDIT = Button("◀ Sửa tiếp", "sc:edit", "sửa")
REVIEW = Outgoing("Nộp bảng điểm này cho Trưởng khối?", ((SUBMIT, EDIT),), menu=True)
CHAT = "thue"


def test_the_console_look_is_what_it_always_was() -> None:
    screen = Screen()

    assert screen.look is Look.CONSOLE
    assert screen.bubbles(REVIEW, CHAT) == [Bubble(render_options(REVIEW))]
    assert screen.bubbles(Outgoing(""), CHAT) == [Bubble("")]


def test_on_zalo_a_menu_is_numbered_and_a_long_text_is_cut_by_utf16_units() -> None:
    screen = Screen(Look.ZALO)
    rows = "\n".join(f"🏅 Đơn vị {n}: 98,5 điểm" for n in range(1, 91))  # 2 units an emoji
    long = Outgoing(rows, ((SUBMIT, EDIT),), menu=True, edit=True)

    menu = screen.bubbles(REVIEW, CHAT)
    bubbles = screen.bubbles(long, CHAT, edited="1")

    assert menu == [Bubble("Nộp bảng điểm này cho Trưởng khối?\n1. Nộp bảng điểm\n2. ◀ Sửa tiếp")]
    assert len(bubbles) == 2 and not any(bubble.edits for bubble in bubbles)  # no edits
    assert all(utf16_units(bubble.text) <= ZALO_LIMIT for bubble in bubbles)
    assert bubbles[1].text.endswith("\n1. Nộp bảng điểm\n2. ◀ Sửa tiếp")


def test_on_telegram_buttons_are_numbered_under_the_last_message() -> None:
    screen = Screen(Look.TELEGRAM)
    wide = Button("Quá dài", "x" * 65)  # Telegram refuses callback data over 64 bytes
    long = Outgoing("\n".join(["dòng"] * 1000), ((SUBMIT,), (EDIT, wide)))

    first, second = screen.bubbles(long, CHAT)

    assert "[" not in first.text and len(first.text) <= 4096
    assert second.text.endswith("dòng\n[1: Nộp bảng điểm]\n[2: ◀ Sửa tiếp]")
    assert screen.press(CHAT, "2") == screen.press(CHAT, "sửa tiếp")
    pressed = screen.press(CHAT, "2")
    assert isinstance(pressed, Press) and pressed.button == EDIT
    assert screen.press("nhnn", "1") == "There are no buttons to press here."


def test_on_telegram_an_edit_replaces_the_pressed_message_and_older_buttons_stay() -> None:
    screen = Screen(Look.TELEGRAM)
    screen.bubbles(REVIEW, CHAT)
    screen.bubbles(Outgoing("Chọn:", ((Button("Xem", "sc:show"),),)), CHAT)
    older = screen.press(CHAT, "Nộp bảng điểm")
    assert isinstance(older, Press)

    edited = screen.bubbles(Outgoing("Đã nộp.", edit=True), CHAT, older.message_id)

    assert edited == [Bubble("Đã nộp.", edits=True)]
    assert screen.press(CHAT, "Nộp bảng điểm") == (
        "There is no button “Nộp bảng điểm” here; the last message has [1: Xem]."
    )
    latest = screen.press(CHAT, "1")
    assert isinstance(latest, Press) and latest.button.payload == "sc:show"
    unknown = screen.bubbles(Outgoing("Mới", edit=True), CHAT, "999")  # not shown here: sent
    assert unknown == [Bubble("Mới")]
