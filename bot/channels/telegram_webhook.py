"""Telegram in webhook mode: updates POSTed to the web server instead of read by polling.

The request is answered once the update is handled (recorded by the router and answered), so a
crash before that leaves Telegram to send it again; the secret header is checked in constant
time, and the path is named by a hash, never by the token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Bot, Update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


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


def receiver(
    bot: Bot,
    secret: str,
    process: Callable[[Update], Awaitable[None]],
    refused: Callable[[], None],
    received: Callable[[], None],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler of Telegram's webhook requests."""
    expected = secret.encode()

    async def on_request(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            refused()
            log.warning("a telegram webhook request without the right secret was refused")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, bot) if isinstance(data, dict) else None
        except (ValueError, UnicodeDecodeError, TypeError, KeyError):
            update = None
        if update is None:
            log.warning("a telegram webhook request that is not an update was skipped")
            return web.Response(status=200)  # sending it again would not make it one
        await process(update)
        received()
        return web.Response(status=200)

    return on_request
