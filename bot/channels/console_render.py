"""How the console shows the bot's messages: its own way, as Zalo renders them, or as Telegram.

The console's way (``:on console``, the default) and Zalo's (``:on zalo``) have no buttons: a
menu becomes numbered options answered with the number, other buttons a line of words to type.
Zalo also cuts a text into messages of at most 2,000 UTF-16 units and never edits one. Telegram
(``:on telegram``) shows the buttons under the message, numbered for ``:press``, cuts a text at
4,096 characters, and an edit replaces the message whose button was pressed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum

from bot.channels.text import TELEGRAM_LIMIT, ZALO_LIMIT, render_options, split_text, utf16_units
from bot.handlers.model import Button, Outgoing
from bot.i18n import _

SEPARATOR = "┄" * 12  # between two messages of the bot, where each is a bubble of its own
PAYLOAD_BYTES = 64  # Telegram refuses a button whose callback data is empty or longer

Keyboard = tuple[tuple[Button, ...], ...]


class Look(StrEnum):
    """The platform whose rendering the console imitates (``:on …``)."""

    CONSOLE = "console"
    ZALO = "zalo"
    TELEGRAM = "telegram"

    @property
    def platform_name(self) -> str:
        """``Zalo``, ``Telegram``: the platform's name as people write it."""
        return self.value.capitalize()


@dataclass(frozen=True)
class Bubble:
    """One message as the platform shows it."""

    text: str
    edits: bool = False  # it replaced the earlier message whose button was pressed


@dataclass(frozen=True)
class Press:
    """A button to press, and the message it is on."""

    message_id: str
    button: Button


class Screen:
    """The look of the bot's messages and, on Telegram, which buttons each message carries."""

    def __init__(self, look: Look = Look.CONSOLE) -> None:
        self.look = look
        self._ids = itertools.count(1)
        self._keyboards: dict[str, dict[str, Keyboard]] = {}  # chat -> message id -> buttons

    @property
    def bubbles_apart(self) -> bool:
        """Whether each message is shown as a bubble of its own (on a platform's look)."""
        return self.look is not Look.CONSOLE

    def forget(self) -> None:
        """Forget the messages shown so far (the demo starts over)."""
        self._keyboards.clear()

    def bubbles(self, outgoing: Outgoing, chat_id: str, edited: str | None = None) -> list[Bubble]:
        """The messages ``outgoing`` arrives as in ``chat_id``; ``edited``: the message whose
        button was pressed, which an edit replaces."""
        if self.look is Look.CONSOLE:
            return [Bubble(render_options(outgoing))]
        if self.look is Look.ZALO:
            chunks = split_text(render_options(outgoing), ZALO_LIMIT, utf16_units)
            return [Bubble(chunk) for chunk in chunks]
        return self._telegram(outgoing, chat_id, edited)

    def press(self, chat_id: str, wanted: str) -> Press | str:
        """The button ``:press`` names, by its number on the chat's last message with buttons
        or by its label (the latest message that has it; ``quay lại`` is ``◀ Quay lại``), else
        what to say instead."""
        shown = [(key, rows) for key, rows in self._keyboards.get(chat_id, {}).items() if rows]
        if not shown:
            return _("There are no buttons to press here.")
        last_id, last_rows = shown[-1]
        wanted = " ".join(wanted.split())
        if wanted.isascii() and wanted.isdigit():
            buttons = [button for row in last_rows for button in row]
            if 1 <= int(wanted) <= len(buttons):
                return Press(last_id, buttons[int(wanted) - 1])
        key = _words(wanted)
        for message_id, rows in reversed(shown):
            for row in rows:
                for button in row:
                    if key and _words(button.label) == key:
                        return Press(message_id, button)
        listed = keyboard_line(last_rows, "  ")
        if not wanted:
            return _("Write :press and the number or the label of a button: {buttons}").format(
                buttons=listed
            )
        return _("There is no button “{wanted}” here; the last message has {buttons}.").format(
            wanted=wanted, buttons=listed
        )

    def _telegram(self, outgoing: Outgoing, chat_id: str, edited: str | None) -> list[Bubble]:
        """As Telegram's channel sends it: cut at 4,096 characters, the buttons on the last
        message, and the first piece of an edit in place of the pressed button's message."""
        chunks = split_text(outgoing.text, TELEGRAM_LIMIT)
        rows = telegram_keyboard(outgoing)
        keyboards = self._keyboards.setdefault(chat_id, {})
        bubbles = []
        for number, chunk in enumerate(chunks, 1):
            keys = rows if number == len(chunks) else ()
            text = f"{chunk}\n{keyboard_line(keys)}" if keys else chunk
            if number == 1 and edited is not None and edited in keyboards:
                keyboards[edited] = keys
                bubbles.append(Bubble(text, edits=True))
                continue
            message_id = str(next(self._ids))
            if keys:
                keyboards[message_id] = keys
            bubbles.append(Bubble(text))
        return bubbles


def telegram_keyboard(outgoing: Outgoing) -> Keyboard:
    """The buttons Telegram shows: those whose payload it takes (1 to 64 bytes)."""
    rows = (
        tuple(b for b in row if 1 <= len(b.payload.encode()) <= PAYLOAD_BYTES)
        for row in outgoing.buttons
    )
    return tuple(row for row in rows if row)


def keyboard_line(rows: Keyboard, between_rows: str = "\n") -> str:
    """``[1: Nộp bảng điểm]  [2: Sửa tiếp]``: a line per row, buttons numbered across rows."""
    numbered = itertools.count(1)
    return between_rows.join(
        "  ".join(f"[{next(numbered)}: {button.label}]" for button in row) for row in rows
    )


def _words(label: str) -> str:
    """A label as one compares it: its words in lower case, without signs such as ◀ ▶."""
    kept = "".join(char if char.isalnum() else " " for char in label.casefold())
    return " ".join(kept.split())
