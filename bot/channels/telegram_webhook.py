"""Telegram in webhook mode: updates POSTed to the web server instead of read by polling.

The request is answered 200 once the update is committed to the inbox (a second delivery of it
too, stored once); a crash before that leaves Telegram to send it again. Whichever replica is
free handles it from there (``bot.channels.inbox``). The secret header is checked in constant
time, and the path is named by a hash, never by the token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from bot.channels.telegram_updates import is_empty, read_update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

Keep = Callable[[Update, dict[str, Any]], Awaitable[None]]


def webhook_path(token: str) -> str:
    """Where the web server takes Telegram's updates."""
    return (
        "/webhook/telegram/"
        + hashlib.sha256(b"telegram-webhook:" + token.encode()).hexdigest()[:32]
    )


async def register(bot: Bot, url: str, secret: str, allowed_updates: list[str]) -> None:
    """Tell Telegram to POST updates to ``url`` with ``secret`` in the header."""
    await bot.set_webhook(
        url, secret_token=secret, allowed_updates=allowed_updates, drop_pending_updates=False
    )


def chat_key(update: Update) -> str:
    """The chat whose updates keep their order: its id, as the router's turns name it."""
    chat = update.effective_chat
    if chat is not None:
        return str(chat.id)
    user = update.effective_user
    return f"user:{user.id}" if user is not None else ""


def receiver(
    bot: Bot,
    secret: str,
    keep: Keep,
    refused: Callable[[], None],
    received: Callable[[], None],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler of Telegram's webhook requests: ``keep`` stores each update (with
    the JSON it came as) and raises when it could not."""
    expected = secret.encode()

    async def on_request(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            refused()
            log.warning("a telegram webhook request without the right secret was refused")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            data = None
            log.warning("a telegram webhook request that is not JSON was skipped")
        update = read_update(data, bot) if data is not None else None  # warns if malformed
        if update is None or is_empty(update):
            return web.Response(status=200)  # sending it again would not make it one
        try:
            await keep(update, data)
        except Exception as error:
            log.error("could not store telegram update %s (%s)", update.update_id, error)
            log.debug("could not store a telegram update", exc_info=error)
            return web.Response(status=500)  # Telegram sends it again
        received()
        return web.Response(status=200)

    return on_request
