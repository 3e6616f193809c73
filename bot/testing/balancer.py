"""A load balancer in front of several ``blocbot run`` replicas, for tests and benchmarks.

The platform is told one webhook address (this one); each request goes to the next replica in
turn. As a reverse proxy does by default (nginx's ``proxy_next_upstream error``), a replica
that refuses the connection is skipped for the next one, and one that fails after it got the
request (it died while handling it) makes the answer a 502, which the platform sends again.

async with Balancer(["http://127.0.0.1:8001", "http://127.0.0.1:8002"]) as balancer:
    url = balancer.base_url  # BLOCBOT_WEBHOOK_URL of every replica
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Self

import aiohttp
from aiohttp import web

from bot.testing.serving import Served

log = logging.getLogger(__name__)

# Not passed on: they describe one connection, not the request.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "upgrade", "host", "content-length"}
)
TIMEOUT = 60.0  # seconds a replica may take to answer


class Balancer(Served):
    """Round robin over ``backends`` (base URLs); ``served`` counts what each one answered."""

    def __init__(self, backends: Sequence[str]) -> None:
        if not backends:
            raise ValueError("a balancer needs at least one backend")
        self.backends = [backend.rstrip("/") for backend in backends]
        self._turn = itertools.cycle(range(len(self.backends)))
        self.served: Counter[str] = Counter()  # answers by backend
        self.refused: Counter[str] = Counter()  # connections refused, by backend
        self.failed: Counter[str] = Counter()  # requests lost on the way, by backend
        self._session: aiohttp.ClientSession | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Self:
        """Listen on host:port (0: any free port); sets ``base_url``."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))
        await self.serve(app, host, port)
        return self

    async def stop(self) -> None:
        await self.close_server()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        for _ in self.backends:
            backend = self.backends[next(self._turn)]
            try:
                async with self._session.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    content = await answer.read()
                    kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
            except aiohttp.ClientConnectorError:
                self.refused[backend] += 1
                continue  # nothing reached it: the next one gets the request
            except (aiohttp.ClientError, OSError, TimeoutError) as error:
                self.failed[backend] += 1
                log.info("%s failed on the way to %s: %r", request.path, backend, error)
                return web.Response(status=502, text="bad gateway\n")
            self.served[backend] += 1
            return web.Response(status=answer.status, body=content, headers=kept)
        return web.Response(status=502, text="no backend answers\n")
