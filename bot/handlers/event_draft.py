"""The calendar dialog's state: its steps and the draft event, as the conversation keeps them.

``load`` and ``save`` are the one place that reads and writes the dialog's part of the
conversation's data, in the JSON shape it has always had (keys left out until they are known):
``{"step": "confirm", "kind": "deadline", "tz": "Asia/Ho_Chi_Minh", "action": "new",
"title": "Báo cáo sơ kết", "at": "2021-12-05T17:00:00+07:00", "remind": [604800, 7200],
"closes": false}``; to move or cancel an event, ``"event"`` (its id) and ``"old"`` (its time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.events import EventKind
from bot.domain.typed import fold
from bot.i18n import _
from bot.services.people import Conversation

FLOW = "event"
PREFIX = "ev"  # ev:new:d, ev:move:m, ev:cancel:d, ev:mv:<id>, ev:rm:<id>, ev:def, ev:ok, ev:no
KINDS = {"d": EventKind.DEADLINE, "m": EventKind.MEETING}  # as buttons write them: ev:new:d
LETTERS = {kind: letter for letter, kind in KINDS.items()}


class Step(StrEnum):
    """Where the calendar dialog stands: what the head's next message answers."""

    MENU = "menu"  # new, move or cancel
    PICK = "pick"  # which event to move or cancel, by its button
    TITLE = "title"
    TIME = "time"  # the local date and time, or the new one
    PLACE = "place"  # meetings only; - for none
    REMIND = "remind"  # the reminder offsets, or ok for the defaults
    CONFIRM = "confirm"


class Action(StrEnum):
    """What the dialog does to the calendar."""

    NEW = "new"
    MOVE = "move"
    CANCEL = "cancel"


# The words that choose an action at the menu, diacritics folded away (and the translation).
_MENU_WORDS = {
    Action.NEW: {"new", "moi", "tao", "them"},
    Action.MOVE: {"move", "doi", "doi lich", "doi gio"},
    Action.CANCEL: {"cancel", "huy", "xoa"},
}


@dataclass(frozen=True)
class Draft:
    """The dialog so far: a new event being written, or the event being moved or cancelled."""

    step: Step
    kind: EventKind
    tz: str  # the bloc's timezone, in which times are read and shown
    action: Action | None = None  # None at the menu
    event: int | None = None  # the id of the event to move or cancel
    title: str | None = None
    old: datetime | None = None  # the time of the event to move or cancel
    at: datetime | None = None  # the new event's time, or the new time
    place: str | None = None  # meetings
    remind: tuple[timedelta, ...] | None = None  # offsets before the new event
    closes: bool = False  # the new deadline closes the self-scoring

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> Draft | None:
        """The draft kept in ``data``; None when it holds none the dialog can go on with."""
        try:
            remind = data.get("remind")
            return cls(
                step=Step(data["step"]),
                kind=EventKind(data.get("kind", EventKind.DEADLINE.value)),
                tz=str(data["tz"]),
                action=Action(data["action"]) if data.get("action") else None,
                event=int(data["event"]) if data.get("event") is not None else None,
                title=data.get("title") if isinstance(data.get("title"), str) else None,
                old=_moment(data.get("old")),
                at=_moment(data.get("at")),
                place=data.get("place") if isinstance(data.get("place"), str) else None,
                remind=None if remind is None else tuple(timedelta(seconds=s) for s in remind),
                closes=bool(data.get("closes")),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def payload(self) -> dict[str, Any]:
        """Plain JSON data, in the shape the conversation has always kept."""
        remind = None if self.remind is None else [int(o.total_seconds()) for o in self.remind]
        data = {
            "step": self.step.value,
            "kind": self.kind.value,
            "tz": self.tz,
            "action": self.action.value if self.action is not None else None,
            "event": self.event,
            "title": self.title,
            "old": self.old.isoformat() if self.old is not None else None,
            "at": self.at.isoformat() if self.at is not None else None,
            "place": self.place,
            "remind": remind,
            "closes": None if remind is None else self.closes,  # kept with the reminders
        }
        return {key: value for key, value in data.items() if value is not None}


def load(conversation: Conversation) -> Draft | None:
    """The calendar dialog's draft, or None outside the dialog."""
    return Draft.read(conversation.data) if conversation.flow == FLOW else None


def save(conversation: Conversation, draft: Draft) -> None:
    """Keep ``draft`` as the conversation's state; before replying, which notes its menu there."""
    conversation.start(FLOW, **draft.payload())


def menu_action(text: str) -> Action | None:
    """The action a word typed at the menu chooses (``mới``, ``dời``, ``hủy``...), if any."""
    folded = fold(text)
    for action, forms in _MENU_WORDS.items():
        if folded in forms or folded == fold(_(action.value)):
            return action
    return None


def is_id(text: str) -> bool:
    """An id as a button carries it: ASCII digits only (``²`` and ``①`` are digits to
    ``str.isdigit`` but not to ``int``)."""
    return text.isascii() and text.isdigit() and len(text) < 19


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
