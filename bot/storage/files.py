"""The file store: the files outbox messages carry, and signed links to download them.

A file is kept once under the SHA-256 of its bytes (its ``ref``), in a store behind the
``FileStore`` interface: a folder by default (``BLOCBOT_FILES``), or an S3-compatible bucket
(``BLOCBOT_FILES=s3://bucket/prefix``, see ``bot.storage.s3files``) that several replicas
share; ``file_store`` builds the one the settings name. Outbox rows never hold bytes: their
payload lists the files by ref (``ATTACHMENTS``), so a message retried or retaken after a
crash sends the same files. Zalo takes a photo only by its address, so the bot's web server
serves the store at ``/files/<token>/<name>``, where the token signs the ref, the name and an
expiry time. Zalo passes no documents to bots either, so the filled sheet comes back through
an upload page at ``/upload/<token>``, whose token signs who may send it (``UploadGrant``) and
until when; the two kinds of token are signed with different keys, so neither serves as the
other.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import os
import re
import struct
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from bot.clock import Clock, SystemClock

if TYPE_CHECKING:
    from bot.config import Settings

DEFAULT_FOLDER = "files"  # BLOCBOT_FILES: in the working folder
ATTACHMENTS = "attachments"  # outbox payload key: the files sent after the text, in order
FILE_KINDS = ("document", "image")
LINK_LIFETIME = timedelta(days=7)  # how long a download link works
LINK_PATH = "/files/{token}/{filename}"  # the web server's route of download links
UPLOAD_PATH = "/upload/{token}"  # the web server's route of upload links
_REF = re.compile(r"[0-9a-f]{64}")
_MAC_BYTES = 16  # of HMAC-SHA256: 128 bits are plenty for a link
_EXPIRY = struct.Struct(">Q")
_GRANT = struct.Struct(">QQQ")  # expiry, contact id, agency id
_SEPARATOR = "\x1f"
_LONGEST_TOKEN = 400  # characters: a grant's names are short ids


class FileStore(Protocol):
    """Where files are kept by content: ``put`` the bytes, ``get`` them back by ref."""

    async def put(self, data: bytes) -> str:
        """Keep ``data`` (once, however often it is put); its ref."""
        ...

    async def get(self, ref: str) -> bytes:
        """The bytes of ``ref``; FileNotFoundError when the store does not have them,
        ValueError for what is not a ref."""
        ...

    async def exists(self, ref: str) -> bool:
        """Whether the store has the file of ``ref`` (False for what is not a ref)."""
        ...

    async def close(self) -> None:
        """Let go of connections, if the store has any."""
        ...


class FolderStore:
    """Content-addressed files in ``root``, each at ``root/ab/abcd...`` (its ref).

    Reads and writes run in a worker thread (``asyncio.to_thread``): the files are small, but
    the folder may be a network share that several replicas mount, where a call can stall for
    as long as the share takes, and the event loop must not stall with it.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    async def put(self, data: bytes) -> str:
        return await asyncio.to_thread(self._put, data)

    async def get(self, ref: str) -> bytes:
        return await asyncio.to_thread(self.path(ref).read_bytes)

    async def exists(self, ref: str) -> bool:
        return is_ref(ref) and await asyncio.to_thread(self.path(ref).is_file)

    async def close(self) -> None:
        return None

    def path(self, ref: str) -> Path:
        """Where the file of ``ref`` is kept; ValueError for what is not a ref."""
        if not is_ref(ref):
            raise ValueError(f"{ref!r} is not a file reference")
        return self.root / ref[:2] / ref

    def _put(self, data: bytes) -> str:
        ref = ref_of(data)
        path = self.path(ref)
        if path.is_file():
            return ref
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".put-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)  # whole or not at all, even with two writers
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return ref


def file_store(settings: Settings) -> FileStore:
    """The store ``BLOCBOT_FILES`` names: an S3 bucket for ``s3://bucket/prefix``, else a
    folder. The application builds one (``App.files``) and hands it to every user."""
    location = settings.s3_location
    if location is None:
        return FolderStore(settings.files)
    from bot.storage.s3files import S3Store  # only then: aiobotocore is the optional extra s3

    return S3Store.for_settings(settings, *location)


def ref_of(data: bytes) -> str:
    """The ref of ``data``: the SHA-256 of its bytes, in hexadecimal."""
    return hashlib.sha256(data).hexdigest()


def is_ref(ref: object) -> bool:
    """Whether ``ref`` is a file reference (64 lower-case hexadecimal digits)."""
    return isinstance(ref, str) and _REF.fullmatch(ref) is not None


@dataclass(frozen=True)
class OutboxFile:
    """A file an outbox message carries: by ref to the store, with how it is shown."""

    kind: str  # document or image
    filename: str
    content_type: str
    ref: str

    def __post_init__(self) -> None:
        if self.kind not in FILE_KINDS:
            raise ValueError(f"an outbox file is a document or an image, not {self.kind!r}")
        if not is_ref(self.ref):
            raise ValueError(f"{self.ref!r} is not a file reference")
        if not self.filename or not self.content_type:
            raise ValueError("an outbox file needs a file name and a content type")

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "content_type": self.content_type,
            "ref": self.ref,
        }

    @classmethod
    def from_json(cls, entry: object) -> OutboxFile:
        """The file an entry of ``payload[ATTACHMENTS]`` names; ValueError when malformed."""
        if not isinstance(entry, Mapping):
            raise ValueError(f"an outbox file is an object, not {entry!r}")
        kind, filename, content_type, ref = (
            entry.get(name) for name in ("kind", "filename", "content_type", "ref")
        )
        if not (
            isinstance(kind, str)
            and isinstance(filename, str)
            and isinstance(content_type, str)
            and isinstance(ref, str)
        ):
            raise ValueError(f"an outbox file names its kind, filename, type and ref: {entry!r}")
        return cls(kind, filename, content_type, ref)


def outbox_files(payload: Mapping[str, Any]) -> tuple[OutboxFile, ...]:
    """The files an outbox message's payload lists; ValueError when one is malformed."""
    entries = payload.get(ATTACHMENTS) or ()
    if not isinstance(entries, list | tuple):
        raise ValueError(f"payload[{ATTACHMENTS!r}] is a list, not {entries!r}")
    return tuple(OutboxFile.from_json(entry) for entry in entries)


# -- signed links ---------------------------------------------------------------------------


class BadLink(Exception):
    """A download or upload link that was not made by this bot, or was changed."""


class ExpiredLink(Exception):
    """A download or upload link whose time ran out."""


@dataclass(frozen=True)
class UploadGrant:
    """What an upload link lets its holder send: a file for ``purpose`` (``template``: the
    filled self-score sheet), on behalf of one contact of one agency, answered in their chat."""

    purpose: str
    platform: str
    contact_id: int
    agency_id: int
    user_id: str
    chat_id: str

    def __post_init__(self) -> None:
        names = (self.purpose, self.platform, self.user_id, self.chat_id)
        if not all(names) or any(_SEPARATOR in name for name in names):
            raise ValueError(f"an upload grant names its purpose, platform and chat: {self!r}")
        if min(self.contact_id, self.agency_id) < 0:
            raise ValueError(f"an upload grant names a contact and an agency: {self!r}")


def link_key(*secrets: str | None) -> bytes:
    """The key that signs download links, derived from the bot's secrets: the same after a
    restart and in every replica with the same settings; changing a secret voids the links."""
    material = "\n".join(secret or "" for secret in secrets).encode()
    return hmac.new(b"blocbot download links", material, hashlib.sha256).digest()


class FileLinks:
    """Signed, expiring addresses on the bot's web server (``base_url``): of the store's files
    (download links), and of the page that takes a file for a person (upload links).

    A download token is base64url of the ref, the expiry time (seconds since 1970) and an
    HMAC-SHA256 of both and the file name, so neither can be changed; an upload token the
    expiry time, the grant and their HMAC under a key of its own derived from the same one,
    so a download link is never an upload link nor the other way round. Both are checked in
    constant time and live ``lifetime``.
    """

    def __init__(
        self,
        key: bytes,
        base_url: str,
        *,
        clock: Clock | None = None,
        lifetime: timedelta = LINK_LIFETIME,
    ) -> None:
        if not key:
            raise ValueError("download links need a key")
        self._key = key
        self._upload_key = hmac.new(key, b"blocbot upload links", hashlib.sha256).digest()
        self.base_url = base_url.rstrip("/")
        self.clock = clock or SystemClock()
        self.lifetime = lifetime

    def url(self, ref: str, filename: str) -> str:
        """The address at which the file of ``ref`` downloads as ``filename``, for a while."""
        token = self.token(ref, filename)
        return f"{self.base_url}/files/{token}/{quote(filename, safe='')}"

    def token(self, ref: str, filename: str) -> str:
        if not is_ref(ref):
            raise ValueError(f"{ref!r} is not a file reference")
        expires = int((self.clock.now() + self.lifetime).timestamp())
        signed = bytes.fromhex(ref) + _EXPIRY.pack(expires)
        raw = signed + self._mac(signed, filename)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def check(self, token: str, filename: str) -> str:
        """The ref a link's token and name stand for; BadLink or ExpiredLink."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise BadLink("not a download token") from None
        if len(raw) != 32 + _EXPIRY.size + _MAC_BYTES:
            raise BadLink("not a download token")
        signed, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if not hmac.compare_digest(mac, self._mac(signed, filename)):
            raise BadLink("the signature does not match")
        (expires,) = _EXPIRY.unpack(signed[32:])
        if self.clock.now().timestamp() > expires:
            raise ExpiredLink("the link has expired")
        return signed[:32].hex()

    def _mac(self, signed: bytes, filename: str) -> bytes:
        message = signed + b"\0" + filename.encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def upload_url(self, grant: UploadGrant) -> str:
        """The address of the page at which ``grant``'s holder sends a file, for a while."""
        return f"{self.base_url}/upload/{self.upload_token(grant)}"

    def upload_token(self, grant: UploadGrant) -> str:
        expires = int((self.clock.now() + self.lifetime).timestamp())
        names = [grant.purpose, grant.platform, grant.user_id]
        if grant.chat_id != grant.user_id:  # a direct chat's id is its person's, most often
            names.append(grant.chat_id)
        signed = _GRANT.pack(expires, grant.contact_id, grant.agency_id)
        signed += _SEPARATOR.join(names).encode()
        raw = signed + self._upload_mac(signed)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def check_upload(self, token: str) -> UploadGrant:
        """The grant an upload link's token stands for; BadLink or ExpiredLink."""
        if len(token) > _LONGEST_TOKEN:
            raise BadLink("not an upload token")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise BadLink("not an upload token") from None
        if len(raw) <= _GRANT.size + _MAC_BYTES:
            raise BadLink("not an upload token")
        signed, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if not hmac.compare_digest(mac, self._upload_mac(signed)):
            raise BadLink("the signature does not match")
        expires, contact_id, agency_id = _GRANT.unpack(signed[: _GRANT.size])
        names = signed[_GRANT.size :].decode(errors="replace").split(_SEPARATOR)
        if len(names) not in (3, 4):
            raise BadLink("not an upload token")
        if self.clock.now().timestamp() > expires:
            raise ExpiredLink("the link has expired")
        purpose, platform, user_id, *chat = names
        try:
            return UploadGrant(
                purpose, platform, contact_id, agency_id, user_id, chat[0] if chat else user_id
            )
        except ValueError:
            raise BadLink("not an upload token") from None

    def _upload_mac(self, signed: bytes) -> bytes:
        return hmac.new(self._upload_key, signed, hashlib.sha256).digest()[:_MAC_BYTES]
