"""Attachments as the channels send them: read from an outbox payload, their bytes fetched.

An outbox message goes out in parts: its text's (a long text is cut), then one per file it
carries, in order. ``payload[PARTS_SENT]`` counts them all, so a message retried after its
text went out sends only the files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.handlers.model import Attachment, AttachmentKind
from bot.scheduler.sending import PARTS_SENT
from bot.storage.files import FileStore, outbox_files

Part = str | Attachment  # a piece of text, or a file


class Unsendable(Exception):
    """An outbox message that can never go out as it is (empty, or its file is gone)."""


def from_payload(payload: Mapping[str, Any]) -> tuple[Attachment, ...]:
    """The files an outbox payload lists, as attachments by ref; ValueError when malformed."""
    return tuple(
        Attachment(AttachmentKind(file.kind), file.filename, file.content_type, file_ref=file.ref)
        for file in outbox_files(payload)
    )


async def outbox_parts(
    text_parts: list[str], payload: Mapping[str, Any], files: FileStore | None
) -> list[Part]:
    """The parts of an outbox message still to send: after the ``PARTS_SENT`` an earlier
    attempt sent, the rest of its text, then its files.

    Raises Unsendable for a message with nothing to send, a malformed list of files, or a file
    the store does not have.
    """
    try:
        attachments = from_payload(payload)
    except ValueError as error:
        raise Unsendable(f"bad attachment: {error}") from None
    parts: list[Part] = [*text_parts, *attachments]
    if not parts:
        raise Unsendable("empty message")
    parts = parts[int(payload.get(PARTS_SENT, 0)) :]
    for part in parts:
        if isinstance(part, Attachment) and part.file_ref is not None:
            if files is None:
                raise Unsendable("no file store to take the attachments from")
            if not await files.exists(part.file_ref):
                raise Unsendable(f"{part.filename} is not in the file store")
    return parts


async def content(attachment: Attachment, files: FileStore) -> bytes:
    """The bytes of an attachment: its own, or the store's; FileNotFoundError when gone."""
    if attachment.data is not None:
        return attachment.data
    assert attachment.file_ref is not None
    return await files.get(attachment.file_ref)


async def kept(attachment: Attachment, files: FileStore) -> str:
    """The attachment's ref in the store, its bytes put there first if it carries them."""
    if attachment.data is not None:
        return await files.put(attachment.data)
    assert attachment.file_ref is not None
    return attachment.file_ref
