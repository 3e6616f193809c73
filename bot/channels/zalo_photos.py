"""Photos people send the bot on Zalo (``message.image.received``): where the update says the
photo is, and its download.

The sources disagree on the field (``photo``, ``photo_url`` or ``url``) and its shape (an
address, a list of them, or an object with ``url``): each is read. Zalo passes no other file
to bots, so a photo is the only file a Zalo update carries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote, urlsplit

import aiohttp

from bot.handlers.model import IncomingFile

IMAGE = "message.image.received"
PHOTO_FIELDS = ("photo", "photo_url", "url")
DOWNLOAD_TIMEOUT = 60.0  # seconds for one photo
_EXTENSIONS = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
_CHUNK = 64 * 1024


def photo_url(message: dict[str, Any]) -> str | None:
    """The address of the photo of an image message, wherever the update puts it."""
    for name in PHOTO_FIELDS:
        found = _address(message.get(name))
        if found:
            return found
    return None


def photo_file(url: str, message_id: str) -> IncomingFile:
    """The photo at ``url`` as the handlers get it: named after its address, fetched later."""
    path = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    stem, dot, ext = path.rpartition(".")
    ext = ext.lower() if dot and stem else ""
    if ext in _EXTENSIONS:
        name = path if path.isprintable() and len(path) <= 100 else f"photo.{ext}"
    else:
        ext, name = "jpg", f"photo-{message_id[:12] or 'zalo'}.jpg"
    return IncomingFile(name, _EXTENSIONS[ext], None, _fetcher(url), image=True)


def _address(value: object) -> str | None:
    if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
        return value.strip()
    if isinstance(value, list):
        found = [address for item in value if (address := _address(item))]
        return found[-1] if found else None  # the last: the largest, as on Telegram
    if isinstance(value, dict):
        return _address(value.get("url")) or _address(value.get("photo_url"))
    return None


def _fetcher(url: str) -> Callable[[int], Awaitable[bytes]]:
    """Download the photo at ``url``, refusing more than ``limit`` bytes (ValueError)."""

    async def fetch(limit: int) -> bytes:
        timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as answer:
            answer.raise_for_status()
            if answer.content_length is not None and answer.content_length > limit:
                raise ValueError(f"{answer.content_length} bytes")
            data = bytearray()
            async for chunk in answer.content.iter_chunked(_CHUNK):
                data += chunk
                if len(data) > limit:
                    raise ValueError(f"more than {limit} bytes")
            return bytes(data)

    return fetch
