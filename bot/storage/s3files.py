"""The file store in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage...), for replicas.

``BLOCBOT_FILES=s3://bucket/prefix`` keeps each file as the object ``prefix/<ref>``: several
replicas of the bot then see the same files, which a folder of one machine cannot give. The
client is aiobotocore (botocore's requests over aiohttp, the loop the bot already runs): it
signs with SigV4, retries, and speaks to any endpoint (``BLOCBOT_S3_ENDPOINT``) path-style,
as MinIO and most self-hosted stores want. It is opened on first use and closed with the app.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from bot.storage.files import is_ref, ref_of

if TYPE_CHECKING:
    from bot.config import Settings

_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class S3Store:
    """Content-addressed files as the objects ``<prefix>/<ref>`` of ``bucket``."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint: str | None = None,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint,
            "region_name": region,
            "aws_access_key_id": access_key,
            "aws_secret_access_key": secret_key,
            "config": AioConfig(
                s3={"addressing_style": "path" if endpoint else "auto"},
                # a checksum only where S3 requires one: what every S3-compatible store takes
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        }
        self._stack = AsyncExitStack()
        self._client: Any = None
        self._opening = asyncio.Lock()

    @classmethod
    def for_settings(cls, settings: Settings, bucket: str, prefix: str) -> S3Store:
        secret = settings.s3_secret_key
        return cls(
            bucket,
            prefix,
            endpoint=settings.s3_endpoint,
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=secret.get_secret_value() if secret is not None else None,
        )

    def key(self, ref: str) -> str:
        """The object key of ``ref``; ValueError for what is not a ref."""
        if not is_ref(ref):
            raise ValueError(f"{ref!r} is not a file reference")
        return f"{self.prefix}/{ref}" if self.prefix else ref

    async def put(self, data: bytes) -> str:
        ref = ref_of(data)
        if not await self.exists(ref):  # kept once: an upload only for new content
            client = await self._opened()
            await client.put_object(Bucket=self.bucket, Key=self.key(ref), Body=data)
        return ref

    async def get(self, ref: str) -> bytes:
        client = await self._opened()
        try:
            answer = await client.get_object(Bucket=self.bucket, Key=self.key(ref))
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(f"s3://{self.bucket}/{self.key(ref)}") from None
            raise
        async with answer["Body"] as body:
            data: bytes = await body.read()
        return data

    async def exists(self, ref: str) -> bool:
        if not is_ref(ref):
            return False
        client = await self._opened()
        try:
            await client.head_object(Bucket=self.bucket, Key=self.key(ref))
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    async def close(self) -> None:
        self._client = None
        await self._stack.aclose()

    async def _opened(self) -> Any:
        async with self._opening:
            if self._client is None:
                creating = get_session().create_client("s3", **self._options)
                self._client = await self._stack.enter_async_context(creating)
            return self._client


def _missing(error: ClientError) -> bool:
    """Whether S3 answered that the object is not there (404, NoSuchKey)."""
    answer: dict[str, Any] = error.response
    status = answer.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 404 or str(answer.get("Error", {}).get("Code")) in _MISSING
