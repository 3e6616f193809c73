"""Outbox sends on Telegram: one attempt each, the Bot API's answer told as a Delivery.

Outbox sends must not wait or retry (the dispatcher keeps their pace and reschedules them), so
they use the client's single attempt (``BotApi.call``), on the connection pool the replies use.
"""

from __future__ import annotations

import asyncio

from bot.channels.attachments import Unsendable, outbox_parts
from bot.channels.telegram_api import BotApi, BotApiError, BotApiUnreachable, flood_wait
from bot.channels.telegram_files import upload
from bot.channels.text import TELEGRAM_LIMIT, split_text
from bot.scheduler.sending import Delivery, DeliveryResult, Parcel, PartRecorder
from bot.storage.files import FileStore

PART_PAUSE = 1.0  # seconds between the parts of a long text (Telegram: 1 message/s per chat)
# 400 answers that mean nobody is there to read: treated as blocked, not as a bad message.
GONE = ("chat not found", "user not found", "peer_id_invalid")


async def send_outbox_message(
    api: BotApi, parcel: Parcel, part_sent: PartRecorder, *, files: FileStore | None = None
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
                message = await api.call("sendMessage", chat_id=parcel.chat_id, text=part)
            else:
                assert files is not None  # outbox_parts checked it
                method, uploads = await upload(part, files)
                message = await api.call(method, uploads, chat_id=parcel.chat_id)
        except Exception as error:
            failed = outcome(error)
            return DeliveryResult(failed.outcome, failed.retry_after, failed.error, number)
        await part_sent(_message_id(message), last=number == len(parts) - 1)
    return DeliveryResult(Delivery.SENT, parts=len(parts))


def _message_id(message: object) -> str | None:
    found = message.get("message_id") if isinstance(message, dict) else None
    return None if found is None else str(found)


def outcome(error: Exception) -> DeliveryResult:
    """What a failed Bot API call means for an outbox message."""
    if isinstance(error, BotApiUnreachable):
        return DeliveryResult(Delivery.TRANSIENT, error=f"network error: {error}")
    if not isinstance(error, BotApiError):
        return DeliveryResult(Delivery.TRANSIENT, error=repr(error))
    if error.flood:
        return DeliveryResult(Delivery.RETRY_AFTER, flood_wait(error), f"429 {error.description}")
    if error.migrate_to is not None:
        return DeliveryResult(Delivery.REJECTED, error=f"group moved to {error.migrate_to}")
    if error.code == 403:
        return DeliveryResult(Delivery.BLOCKED, error=f"403 {error.description}")
    if error.code == 400:
        if any(gone in error.description.lower() for gone in GONE):
            return DeliveryResult(Delivery.BLOCKED, error=f"400 {error.description}")
        return DeliveryResult(Delivery.REJECTED, error=f"400 {error.description}")
    # 5xx, and what a send never meets but a revoked token or a proxy gives (401, 404, 409)
    return DeliveryResult(Delivery.TRANSIENT, error=f"error: {error}")
