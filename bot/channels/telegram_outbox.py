"""Outbox sends on Telegram: one attempt each, the Bot API's answer told as a Delivery.

Replies to someone typing go through the Application's bot, whose rate limiter waits out flood
errors and retries. Outbox sends must not wait or retry (the dispatcher keeps their pace and
reschedules them), so they go through a bot of their own, on aiohttp.
"""

from __future__ import annotations

import asyncio
import warnings
from datetime import timedelta
from typing import Any, cast

import aiohttp
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, RequestData
from telegram.warnings import PTBDeprecationWarning

from bot.channels.attachments import Unsendable, outbox_parts
from bot.channels.telegram_files import send_file
from bot.channels.text import TELEGRAM_LIMIT, split_text
from bot.scheduler.sending import Delivery, DeliveryResult, Parcel, PartRecorder
from bot.storage.files import FileStore

PART_PAUSE = 1.0  # seconds between the parts of a long text (Telegram: 1 message/s per chat)
# 400 answers that mean nobody is there to read: treated as blocked, not as a bad message.
GONE = ("chat not found", "user not found", "peer_id_invalid")


async def send_outbox_message(
    bot: Bot, parcel: Parcel, part_sent: PartRecorder, *, files: FileStore | None = None
) -> DeliveryResult:
    """Send the parcel's text once: in parts a second apart when long, skipping those sent
    before, then the files its payload lists (uploaded from ``files``), each a part of its own.

    Each part Telegram took is recorded (``part_sent``) before the next goes; when an earlier
    attempt recorded them all, nothing is sent. "chat not found" counts as blocked: the person
    never opened a chat with the bot or deleted their account, or the group is gone; nothing
    the bot sends would reach them.
    """
    try:
        parts = await outbox_parts(split_text(parcel.text, TELEGRAM_LIMIT), parcel.payload, files)
    except Unsendable as error:
        return DeliveryResult(Delivery.REJECTED, error=str(error))
    for number, part in enumerate(parts):
        if number:
            await asyncio.sleep(PART_PAUSE)
        try:
            if isinstance(part, str):
                message = await bot.send_message(parcel.chat_id, part)
            else:
                assert files is not None  # outbox_parts checked it
                message = await send_file(bot, parcel.chat_id, part, files)
        except Exception as error:
            failed = outcome(error)
            return DeliveryResult(failed.outcome, failed.retry_after, failed.error, number)
        await part_sent(str(message.message_id), last=number == len(parts) - 1)
    return DeliveryResult(Delivery.SENT, parts=len(parts))


def outcome(error: Exception) -> DeliveryResult:
    """What a failed Bot API call means for an outbox message."""
    if isinstance(error, RetryAfter):
        return DeliveryResult(Delivery.RETRY_AFTER, retry_after(error), f"429 {error.message}")
    if isinstance(error, Forbidden):
        return DeliveryResult(Delivery.BLOCKED, error=f"403 {error.message}")
    if isinstance(error, BadRequest):  # before NetworkError: BadRequest is one of those
        if any(gone in error.message.lower() for gone in GONE):
            return DeliveryResult(Delivery.BLOCKED, error=f"400 {error.message}")
        return DeliveryResult(Delivery.REJECTED, error=f"400 {error.message}")
    if isinstance(error, ChatMigrated):
        return DeliveryResult(Delivery.REJECTED, error=f"group moved to {error.new_chat_id}")
    if isinstance(error, TelegramError):  # NetworkError, TimedOut, 5xx, unknown answers
        kind = "network error" if isinstance(error, NetworkError) else "error"
        return DeliveryResult(Delivery.TRANSIENT, error=f"{kind}: {error.message}")
    return DeliveryResult(Delivery.TRANSIENT, error=repr(error))


def retry_after(error: RetryAfter) -> float:
    """Seconds a flood error asks to wait (PTB 22 gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class AiohttpRequest(BaseRequest):
    """PTB's HTTP layer on aiohttp: a tenth of httpx's cost per call, which the outbox's
    hundreds of sends a second need."""

    def __init__(
        self,
        connections: int = 16,
        read_timeout: float = 10.0,
        write_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        pool_timeout: float = 5.0,
    ) -> None:
        self._connections = connections
        self._read = read_timeout
        self._timeouts = (write_timeout, connect_timeout, pool_timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

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
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        write, connect, pool = self._timeouts
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_given(pool_timeout, pool),
            sock_connect=_given(connect_timeout, connect),
            sock_read=_given(read_timeout, self._read) or _given(write_timeout, write),
        )
        data: Any = None
        if request_data is not None:
            data = request_data.json_parameters
            if request_data.contains_files:
                form = aiohttp.FormData(data)
                for name, (filename, content, mime) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mime)
                data = form
        try:
            async with self._session.request(
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


def outbox_bot(token: str, base_url: str, connections: int) -> Bot:
    """A Bot of its own for outbox sends: no rate limiter (the dispatcher keeps the pace and
    decides about retries), aiohttp underneath."""
    return Bot(
        token,
        base_url=base_url,
        request=AiohttpRequest(connections=connections),
        get_updates_request=AiohttpRequest(connections=1),
    )
