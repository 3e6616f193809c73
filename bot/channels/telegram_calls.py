"""Telegram calls that must get through: retries after flood limits and network errors, and
the inline keyboard of a reply."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.channels.telegram_outbox import retry_after
from bot.handlers.model import Outgoing

log = logging.getLogger("bot.channels.telegram")

T = TypeVar("T")

ATTEMPTS = 4  # tries of one Bot API call: the first and three retries
BACKOFF = 0.5  # seconds before the first retry after a network error; doubles each time
LONGEST_WAIT = 60.0  # a flood wait longer than this gives the message up
PAYLOAD_BYTES = 64  # Telegram's limit on callback_data


async def retrying(call: Callable[[], Awaitable[T]]) -> T:
    """Call, waiting out flood limits and retrying network errors with a growing pause.

    The only retries of a call: the rate limiter under it never retries, so a call is tried
    at most ATTEMPTS times.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as error:
            wait = retry_after(error)
            if attempt == ATTEMPTS or wait > LONGEST_WAIT:
                raise
            log.info("flood limit: retrying in %.1f s", wait)
            await asyncio.sleep(wait)
        except BadRequest:
            raise
        except NetworkError as error:  # TimedOut included
            if attempt == ATTEMPTS:
                raise
            pause = BACKOFF * 2 ** (attempt - 1)
            log.info("network error (%s): retrying in %.1f s", error, pause)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


def keyboard(outgoing: Outgoing) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a message's buttons (None without buttons).

    Telegram refuses a whole message for one button whose payload is empty or over 64 bytes:
    such a button is logged as an error and left out.
    """
    rows = []
    for row in outgoing.buttons:
        kept = []
        for button in row:
            if 1 <= len(button.payload.encode()) <= PAYLOAD_BYTES:
                kept.append(InlineKeyboardButton(button.label, callback_data=button.payload))
            else:
                log.error(
                    "button %r left out: its payload %r is not 1 to %d bytes",
                    button.label,
                    button.payload,
                    PAYLOAD_BYTES,
                )
        if kept:
            rows.append(kept)
    return InlineKeyboardMarkup(rows) if rows else None
