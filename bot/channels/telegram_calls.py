"""What a reply carries on Telegram: the inline keyboard of its buttons, and the pace of the
messages to one group."""

from __future__ import annotations

import logging
from typing import Any

from aiolimiter import AsyncLimiter

from bot.handlers.model import Outgoing

log = logging.getLogger("bot.channels.telegram")

PAYLOAD_BYTES = 64  # Telegram's limit on callback_data
GROUP_PER_MINUTE = 20  # Telegram's limit on messages to one group

JSONDict = dict[str, Any]


def keyboard(outgoing: Outgoing) -> JSONDict | None:
    """The inline keyboard of a message's buttons, as the Bot API takes it (None without
    buttons).

    Telegram refuses a whole message for one button whose payload is empty or over 64 bytes:
    such a button is logged as an error and left out.
    """
    rows = []
    for row in outgoing.buttons:
        kept = []
        for button in row:
            if 1 <= len(button.payload.encode()) <= PAYLOAD_BYTES:
                kept.append({"text": button.label, "callback_data": button.payload})
            else:
                log.error(
                    "button %r left out: its payload %r is not 1 to %d bytes",
                    button.label,
                    button.payload,
                    PAYLOAD_BYTES,
                )
        if kept:
            rows.append(kept)
    return {"inline_keyboard": rows} if rows else None


class GroupPace:
    """Holds the messages to each group to Telegram's limit; other chats go straight through.

    Replies to someone typing in a direct chat go out at once (a 429 is waited out by the
    client's retries); the overall pace of what the bot sends on its own is the outbox's.
    """

    def __init__(self, per_minute: int = GROUP_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def wait(self, chat_id: object) -> None:
        """Wait until a message to ``chat_id`` keeps its group within the limit."""
        group = _group(chat_id)
        if group is None:
            return
        limiter = self._groups.get(group)
        if limiter is None:
            limiter = self._groups[group] = AsyncLimiter(self.per_minute, 60)
        await limiter.acquire()


def _group(chat_id: object) -> int | str | None:
    """The group a call sends to (groups have negative ids; "@name" is a channel or group)."""
    if isinstance(chat_id, str) and chat_id.startswith("@"):
        return chat_id
    try:
        number = int(chat_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return number if number < 0 else None
