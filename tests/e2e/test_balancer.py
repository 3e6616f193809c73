"""The load balancer tests put in front of replicas: round robin, a dead replica skipped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from bot.testing.balancer import Balancer
from bot.testing.serving import serving


@asynccontextmanager
async def backend(name: str, seen: list[str], drop: bool = False) -> AsyncIterator[str]:
    """A web server that answers with its name (or drops the connection); its base URL."""

    async def answer(request: web.Request) -> web.StreamResponse:
        seen.append(f"{name} {request.method} {request.path_qs} {await request.text()}")
        if drop and request.transport is not None:
            request.transport.close()
        return web.Response(text=name, headers={"X-Secret-Seen": request.headers["X-Secret"]})

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", answer)
    async with serving(app) as url:
        yield url


async def test_requests_go_round_robin_and_skip_a_replica_that_is_down() -> None:
    seen: list[str] = []
    async with (
        backend("a", seen) as a,
        backend("b", seen) as b,
        backend("c", seen, drop=True) as c,
    ):
        gone = "http://127.0.0.1:9"  # nothing listens there
        async with Balancer([a, gone, b, c]) as balancer, aiohttp.ClientSession() as http:
            answers = []
            for n in range(6):
                async with http.post(
                    f"{balancer.base_url}/hook?n={n}", data=f"body {n}", headers={"X-Secret": "s"}
                ) as got:
                    answers.append(
                        (got.status, await got.text(), got.headers.get("X-Secret-Seen"))
                    )
    assert answers == [
        (200, "a", "s"),
        (200, "b", "s"),  # the one down was skipped: its request went to the next
        (502, "bad gateway\n", None),  # c took it and died on it: the platform sends again
        (200, "a", "s"),
        (200, "b", "s"),
        (502, "bad gateway\n", None),
    ]
    assert seen[:3] == [
        "a POST /hook?n=0 body 0",
        "b POST /hook?n=1 body 1",
        "c POST /hook?n=2 body 2",
    ]
    assert balancer.refused[gone] == 2 and balancer.failed[c] == 2
