"""The Zalo Bot API over aiohttp: one client per bot, its envelope read, its failure named.

Zalo answers ``{ok, result, description, error_code}``; a 200 alone is not success, and which
HTTP status an error comes with is not documented, so both are read: an ``ok:false`` envelope is
an error whatever the status, and a status of 400 or more is one whatever the body (an HTML page
from a proxy included).

Replies, the outbox and polling share the client's one keep-alive connection pool. ``call``
tries once (the outbox's dispatcher decides about retries); ``send`` is the retry policy of
replies: a 429, a server error (5xx) or a lost connection is tried again after a growing pause
(Zalo gives no retry_after), a refusal is not; at most ATTEMPTS tries.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp

from bot.channels.reaching import Backoff

log = logging.getLogger(__name__)

TIMEOUT = 15.0  # seconds a call may take, beyond a long poll's own wait
CONNECTIONS = 32  # replies in flight at once; the outbox's own come on top
ATTEMPTS = 4  # tries of one reply: the first and three retries


class ZaloError(Exception):
    """Zalo answered, and refused: ``code`` is its error_code (or the HTTP status)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code} {description}".strip())
        self.code = code
        self.description = description

    @property
    def unauthorized(self) -> bool:
        return self.code in (401, 403) and "chat" not in self.description.lower()

    @property
    def rate_limited(self) -> bool:
        return self.code == 429

    @property
    def server_side(self) -> bool:
        return self.code >= 500


class ZaloUnreachable(Exception):
    """No answer from Zalo: the network, a timeout, a dropped connection."""


class ZaloApi:
    """Calls ``{base_url}{token}/{method}`` with JSON parameters."""

    def __init__(self, token: str, base_url: str, connections: int = CONNECTIONS) -> None:
        self._url = f"{base_url}{token}/"  # like Telegram's: the base ends in /bot
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector)

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(self, method: str, wait: float = 0.0, **params: Any) -> Any:
        """The ``result`` of ``method``; ZaloError when refused, ZaloUnreachable when silent.

        ``wait`` is how long the call itself may hold the answer back (a long poll).
        """
        await self.open()
        assert self._session is not None
        timeout = aiohttp.ClientTimeout(total=TIMEOUT + wait)
        try:
            async with self._session.post(
                self._url + method, json=params, timeout=timeout
            ) as response:
                status = response.status
                body = await response.read()
        except TimeoutError as error:
            raise ZaloUnreachable("no answer in time") from error
        except aiohttp.ClientError as error:
            raise ZaloUnreachable(f"{type(error).__name__}: {error}") from error
        return _result(status, body)

    async def send(self, method: str, **params: Any) -> Any:
        """``call``, trying again after a growing pause on a 429, a server error or a lost
        connection; a refusal is raised at once. At most ATTEMPTS tries."""
        backoff = Backoff()
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self.call(method, **params)
            except ZaloError as error:
                if not (error.rate_limited or error.server_side) or attempt == ATTEMPTS:
                    raise
                cause: Exception = error
            except ZaloUnreachable as error:
                if attempt == ATTEMPTS:
                    raise
                cause = error
            pause = backoff.next()
            log.info("%s failed (%s): retrying in %g s", method, cause, pause)
            await asyncio.sleep(pause)
        raise AssertionError("unreachable")


def _result(status: int, body: bytes) -> Any:
    """The result of an answer, or the error it carries."""
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        envelope = None
    if not isinstance(envelope, dict):
        if status >= 400:
            raise ZaloError(status, f"HTTP {status}")
        raise ZaloError(status if status >= 400 else 502, "not a Bot API answer")
    if envelope.get("ok") is True and status < 400:
        return envelope.get("result")
    code = envelope.get("error_code")
    if not isinstance(code, int) or isinstance(code, bool):
        code = status if status >= 400 else 400
    description = envelope.get("description")
    raise ZaloError(code, description if isinstance(description, str) else "")
