"""The python-telegram-bot Application that reads updates, on the channel's own aiohttp client.

PTB reads the updates (their objects, the webhook's and the poller's) and makes the few calls
that are not replies: getMe at start-up, the webhook, downloading the files people send. Its
HTTP layer is ``AiohttpRequest``, on the connection pool of the channel's ``BotApi``, so the
process keeps one pool per bot whatever makes the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, cast

import aiohttp
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application, ApplicationBuilder, BaseUpdateProcessor
from telegram.request import BaseRequest, RequestData

from bot.channels.telegram_api import TIMEOUT, BotApi
from bot.config import Settings
from bot.handlers.turns import ChatTurns

TelegramApp = Application[Any, Any, Any, Any, Any, Any]

CONCURRENT_UPDATES = 256  # updates handled at once, each of a different chat
UNCOUNTED = 1_000_000  # PTB's own count, which ``OnePlacePerChat`` replaces


class OnePlacePerChat(BaseUpdateProcessor):
    """At most ``places`` updates at once, and a chat's update takes a place only once the
    chat's earlier updates are done: a chat that sends hundreds of messages in a row holds one
    place, not all of them, and everyone else's messages are answered meanwhile.

    PTB starts one task per update in the order they arrived, so each chat's updates enter in
    that order; the router's turn, which the channel takes next, keeps it.
    """

    __slots__ = ("_chats", "_places")

    def __init__(self, places: int) -> None:
        super().__init__(UNCOUNTED)
        self._places = asyncio.Semaphore(places)
        self._chats = ChatTurns()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._places:
                await coroutine
            return
        async with self._chats.turn("telegram", str(chat.id)), self._places:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def application(settings: Settings, api: BotApi) -> TelegramApp:
    """The PTB Application: Bot API address, concurrency, and ``api``'s connections."""
    assert settings.telegram_token is not None
    base_url = settings.telegram_base_url
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(base_url)
        .request(AiohttpRequest(api))
        .get_updates_request(AiohttpRequest(api))  # unused: the channel's Poller reads them
        .concurrent_updates(OnePlacePerChat(CONCURRENT_UPDATES))
        .updater(None)
    )
    if base_url.endswith("/bot"):
        builder = builder.base_file_url(base_url.removesuffix("/bot") + "/file/bot")
    return builder.build()


class AiohttpRequest(BaseRequest):
    """PTB's HTTP layer on the session of a ``BotApi``, which opens and closes it."""

    def __init__(self, api: BotApi, read_timeout: float = TIMEOUT) -> None:
        self._api = api
        self._read = read_timeout

    @property
    def read_timeout(self) -> float:
        return self._read

    async def initialize(self) -> None:
        await self._api.open()

    async def shutdown(self) -> None:
        """Nothing: the channel closes its client."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        read = _given(read_timeout, self._read)
        timeout = aiohttp.ClientTimeout(total=None if read is None else read + TIMEOUT)
        data: Any = None
        if request_data is not None:
            data = request_data.json_parameters
            if request_data.contains_files:
                form = aiohttp.FormData(data, quote_fields=False)
                for name, (filename, content, mime) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mime)
                data = form
        try:
            async with self._api.session.request(
                method, url, data=data, timeout=timeout, headers={"User-Agent": self.USER_AGENT}
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp {type(error).__name__}: {error}") from error


def _given(value: object, default: float) -> float | None:
    """A timeout a call gave, or ours when it gave none."""
    return default if value is BaseRequest.DEFAULT_NONE else cast(float | None, value)
