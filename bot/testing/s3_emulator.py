"""An S3-compatible server of the project's own, for tests: objects in memory, no internet.

It answers path-style PutObject (``PUT /bucket/key``), GetObject (``GET``) and HeadObject
(``HEAD``), and a missing object or bucket with S3's 404 (``NoSuchKey``, ``NoSuchBucket`` in
S3's XML; HEAD without a body, as S3 does). It wants an ``Authorization: AWS4-HMAC-SHA256 ...``
header on every request but does NOT check the signature: any SigV4 header is accepted, so
the tests exercise the client's signing path without the emulator knowing the keys. A body
sent ``aws-chunked`` (streaming SigV4) is decoded to its bytes, the chunk signatures unchecked.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Self
from xml.sax.saxutils import escape

from aiohttp import web

from bot.testing.serving import Served

_XML = "application/xml"


@dataclass(frozen=True)
class StoredObject:
    """An object as it was put: its bytes, its type and S3's ETag (the MD5 of the bytes)."""

    data: bytes
    content_type: str
    etag: str = ""

    @classmethod
    def of(cls, data: bytes, content_type: str) -> StoredObject:
        return cls(data, content_type, f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"')


@dataclass(frozen=True)
class Call:
    """A request the emulator answered: method, bucket, key and status."""

    method: str
    bucket: str
    key: str
    status: int


@dataclass
class S3Emulator(Served):
    """Buckets of objects, by name; ``buckets`` are there from the start."""

    buckets: dict[str, dict[str, StoredObject]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def with_buckets(cls, *names: str) -> S3Emulator:
        return cls(buckets={name: {} for name in names})

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Self:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        for method in ("GET", "PUT", "HEAD"):
            app.router.add_route(method, "/{bucket}/{key:.+}", self._object)
        await self.serve(app, host, port)
        return self

    def objects(self, bucket: str) -> dict[str, StoredObject]:
        """The objects of ``bucket`` by key (empty for a bucket that is not there)."""
        return self.buckets.get(bucket, {})

    async def _object(self, request: web.Request) -> web.StreamResponse:
        bucket, key = request.match_info["bucket"], request.match_info["key"]
        response = await self._answer(request, bucket, key)
        self.calls.append(Call(request.method, bucket, key, response.status))
        return response

    async def _answer(self, request: web.Request, bucket: str, key: str) -> web.StreamResponse:
        if not request.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
            return self._error(request, 403, "AccessDenied", "A SigV4 signature is needed.")
        objects = self.buckets.get(bucket)
        if objects is None:
            return self._error(request, 404, "NoSuchBucket", "The bucket does not exist.")
        if request.method == "PUT":
            body = await request.read()
            if _chunked(request):
                body = _unchunked(body)
            stored = StoredObject.of(body, request.content_type or "binary/octet-stream")
            objects[key] = stored
            return web.Response(status=200, headers={"ETag": stored.etag})
        found = objects.get(key)
        if found is None:
            return self._error(request, 404, "NoSuchKey", "The specified key does not exist.")
        headers = {
            "ETag": found.etag,
            "Content-Type": found.content_type,
            "Last-Modified": formatdate(usegmt=True),
            "Accept-Ranges": "bytes",
        }
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(found.data))
            return web.Response(status=200, headers=headers)
        return web.Response(status=200, body=found.data, headers=headers)

    def _error(self, request: web.Request, status: int, code: str, text: str) -> web.Response:
        request_id = f"{next(self._ids):016X}"
        headers = {"x-amz-request-id": request_id}
        if request.method == "HEAD":  # S3 answers HEAD with the status only
            return web.Response(status=status, headers=headers)
        resource = escape(request.path)
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{escape(text)}</Message>"
            f"<Resource>{resource}</Resource><RequestId>{request_id}</RequestId></Error>"
        )
        return web.Response(status=status, text=xml, content_type=_XML, headers=headers)


def _chunked(request: web.Request) -> bool:
    encoding = request.headers.get("Content-Encoding", "")
    payload = request.headers.get("x-amz-content-sha256", "")
    return "aws-chunked" in encoding or payload.startswith("STREAMING-")


def _unchunked(body: bytes) -> bytes:
    """The bytes of an ``aws-chunked`` body: ``<hex size>[;chunk-signature=...]\\r\\n<data>\\r\\n``
    chunks up to one of size 0, then trailers (ignored)."""
    data, at = bytearray(), 0
    while True:
        end = body.index(b"\r\n", at)
        size = int(body[at:end].split(b";", 1)[0], 16)
        if size == 0:
            return bytes(data)
        data += body[end + 2 : end + 2 + size]
        at = end + 2 + size + 2
