"""Reaching Telegram: the PTB Application, the pace of messages to groups, the bot's username."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Bot
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter
from telegram.request import HTTPXRequest

from bot.channels.reaching import address
from bot.channels.telegram_polling import reason
from bot.channels.telegram_updates import TolerantUpdatesRequest
from bot.config import Settings
from bot.i18n import _

TelegramApp = Application[Any, Any, Any, Any, Any, Any]
JSONDict = dict[str, Any]

CONCURRENT_UPDATES = 256
CONNECTIONS = 32  # a send takes milliseconds; a bigger pool costs more per request than it saves
CONNECT_TIMEOUT = 20.0  # seconds one try to reach Telegram may take (start-up, the username)
GROUP_PER_MINUTE = 20  # Telegram's limit on messages to one group


class TelegramUnavailable(Exception):
    """Telegram could not be reached, or refused the token; the text says which, translated."""


def application(settings: Settings) -> TelegramApp:
    """The PTB Application: Bot API address, rate limits, connection pools, concurrency."""
    assert settings.telegram_token is not None
    base_url = settings.telegram_base_url
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(base_url)
        .request(
            HTTPXRequest(
                connection_pool_size=CONNECTIONS,
                pool_timeout=10.0,
                read_timeout=15.0,
                write_timeout=15.0,
            )
        )
        .get_updates_request(TolerantUpdatesRequest(connection_pool_size=2, read_timeout=10.0))
        # Replies to someone typing go out at once (a 429 is waited out by _retrying); the
        # overall pace of messages the bot sends on its own is kept by the outbox.
        .rate_limiter(GroupPace(GROUP_PER_MINUTE))
        .concurrent_updates(CONCURRENT_UPDATES)
        .updater(None)  # the channel's Poller reads the updates
    )
    if base_url.endswith("/bot"):
        builder = builder.base_file_url(base_url.removesuffix("/bot") + "/file/bot")
    return builder.build()


class GroupPace(BaseRateLimiter[None]):
    """Holds the messages to each group to Telegram's limit; never retries (``_retrying`` does).

    Other calls go straight through.
    """

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | JSONDict | list[JSONDict]:
        group = _group(data.get("chat_id"))
        if group is None:
            return await callback(*args, **kwargs)
        limiter = self._groups.get(group)
        if limiter is None:
            limiter = self._groups[group] = AsyncLimiter(self.per_minute, 60)
        async with limiter:
            return await callback(*args, **kwargs)


def _group(chat_id: object) -> int | str | None:
    """The group a call sends to (groups have negative ids; "@name" is a channel or group)."""
    if isinstance(chat_id, str) and chat_id.startswith("@"):
        return chat_id
    try:
        number = int(chat_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return number if number < 0 else None


def refused(where: str) -> str:
    """What to say when Telegram refuses the token."""
    return _(
        "Telegram at {address} refused the token in BLOCBOT_TELEGRAM_TOKEN; check it with "
        "@BotFather."
    ).format(address=where)


async def bot_username(settings: Settings) -> str | None:
    """The bot's username: from the settings, or asked from Telegram when a token is set.

    Raises TelegramUnavailable, saying why in one sentence, when Telegram cannot be reached or
    refuses the token.
    """
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if not settings.telegram_token:
        return None
    where = address(settings.telegram_base_url)
    bot = Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram_base_url)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT), bot:
            return bot.username
    except InvalidToken:
        raise TelegramUnavailable(refused(where)) from None
    except (TelegramError, TimeoutError, OSError) as error:
        raise TelegramUnavailable(
            _(
                "Could not reach Telegram at {address} ({reason}) to learn the bot's username."
            ).format(address=where, reason=reason(error))
        ) from None
