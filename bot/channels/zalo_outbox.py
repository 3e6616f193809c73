"""Outbox sends on Zalo: one attempt each, Zalo's answer told as a Delivery.

Zalo publishes no rate limits and no ``retry_after``: a 429 asks the dispatcher to wait
``RATE_WAIT`` seconds; 5xx and network errors are transient; a refusal that names the chat
(the person never wrote to the bot, or the group is gone) marks the chat unreachable.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.channels.attachments import Unsendable, outbox_parts
from bot.channels.text import ZALO_LIMIT, split_text, utf16_units
from bot.channels.zalo_api import ZaloApi, ZaloError, ZaloUnreachable
from bot.channels.zalo_files import zalo_call
from bot.scheduler.sending import Delivery, DeliveryResult, Parcel, PartRecorder
from bot.storage.files import FileLinks, FileStore

PART_PAUSE = 1.0  # seconds between the parts of a long text, as on Telegram
RATE_WAIT = 10.0  # seconds to wait after a 429, which says no more
# Words of a refusal that mean nobody is there to read.
GONE = ("chat not found", "user not found", "not exist", "invalid chat", "blocked", "not allow")


async def send_outbox_message(
    api: ZaloApi,
    parcel: Parcel,
    part_sent: PartRecorder,
    *,
    files: FileStore | None = None,
    links: FileLinks | None = None,
) -> DeliveryResult:
    """Send the parcel's text once: in parts a second apart when long, skipping those sent
    before, then the files its payload lists (a photo by its link, a document as a link), a
    part each."""
    try:
        pieces = split_text(parcel.text, ZALO_LIMIT, utf16_units)
        parts = await outbox_parts(pieces, parcel.payload, files)
        if links is None and any(not isinstance(part, str) for part in parts):
            raise Unsendable("no web server to link the attachments from")
    except Unsendable as error:
        return DeliveryResult(Delivery.REJECTED, error=str(error))
    for number, part in enumerate(parts):
        if number:
            await asyncio.sleep(PART_PAUSE)
        params: dict[str, Any]
        if isinstance(part, str):
            method, params = "sendMessage", {"text": part}
        else:
            assert files is not None and links is not None  # checked above
            method, params = await zalo_call(part, files, links)
        try:
            result = await api.call(method, chat_id=parcel.chat_id, **params)
        except (ZaloError, ZaloUnreachable) as error:
            failed = outcome(error)
            return DeliveryResult(failed.outcome, failed.retry_after, failed.error, number)
        message_id = result.get("message_id") if isinstance(result, dict) else None
        await part_sent(
            str(message_id) if message_id is not None else None, last=number == len(parts) - 1
        )
    return DeliveryResult(Delivery.SENT, parts=len(parts))


def outcome(error: ZaloError | ZaloUnreachable) -> DeliveryResult:
    """What a failed call means for an outbox message."""
    if isinstance(error, ZaloUnreachable):
        return DeliveryResult(Delivery.TRANSIENT, error=f"network error: {error}")
    if error.rate_limited:
        return DeliveryResult(Delivery.RETRY_AFTER, RATE_WAIT, str(error))
    if error.server_side:
        return DeliveryResult(Delivery.TRANSIENT, error=str(error))
    if error.code == 403 or any(gone in error.description.lower() for gone in GONE):
        return DeliveryResult(Delivery.BLOCKED, error=str(error))
    if error.code == 401:  # the token: nothing is wrong with the message
        return DeliveryResult(Delivery.TRANSIENT, error=str(error))
    return DeliveryResult(Delivery.REJECTED, error=str(error))
