"""The HTTP side: an aiohttp server that answers ``/bot<token>/<method>`` like Zalo's Bot API."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Self

from aiohttp import web

from bot.testing.serving import Served
from bot.testing.zalo_emulator.faults import Fault, FaultPlan
from bot.testing.zalo_emulator.methods import NO_RESULT, Handler, ZaloMethods
from bot.testing.zalo_emulator.records import Delivery
from bot.testing.zalo_emulator.wire import HTML_502, JSON, TOKEN, Params, ZaloError
from bot.testing.zalo_emulator.world import World

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "12345689:abc-xyz"


class ZaloEmulator(World, Served):
    """A local Zalo Bot API for end-to-end tests, benchmarks and trying the bot by hand.

    Point the bot at ``zl.api_url`` (it calls ``{api_url}{token}/{method}``); act as people
    with ``zl.user()`` and ``zl.group()``; read what the bot said with ``zl.messages()``,
    ``zl.wait_reply()`` and ``zl.transcript()``. Where the sources disagree, the attributes set
    in ``World.__init__`` pick the behaviour.
    """

    def __init__(
        self,
        bot_name: str = "Bot Khối thi đua",
        can_join_groups: bool = True,
        bot_id: str | None = None,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(bot_name, can_join_groups, bot_id, clock)
        self.token = token  # when set, only this token is accepted
        self.host = host
        self.port = port
        self.methods = ZaloMethods(self)
        self.faults = FaultPlan()
        self._handlers: dict[str, Handler] = self.methods.handlers()
        self._media: dict[str, tuple[bytes, str]] = {}  # what photo_at() serves, by path

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str | None = None, port: int | None = None) -> Self:
        """Listen on host:port (port 0: any free one); sets ``base_url``."""
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._on_api)
        app.router.add_get("/media/{path:.+}", self._on_media)
        port = self.port if port is None else port
        self.port = await self.serve(app, host or self.host, port, handler_cancellation=True)
        return self

    async def stop(self) -> None:
        """Release long polls, stop webhook delivery, close the server."""
        await self.feed.close()
        await self.close_server()

    @property
    def api_url(self) -> str:
        """The base the bot puts its token and the method after: ``{api_url}<token>/<m>``."""
        return f"{self.base_url}/bot"

    def token_ok(self, token: str) -> bool:
        """True for a token shaped like Zalo's (``12345689:abc-xyz``), and the one set, if any."""
        if self.token is not None:
            return token == self.token
        return TOKEN.fullmatch(token) is not None

    # -- trouble on purpose ------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        count: int = 1,
        description: str | None = None,
        html: bool = False,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" for any) answer this error.

        The envelope goes with the HTTP status or with 200, as ``errors_as`` says; ``html``
        answers a proxy's HTML page instead (always with the status itself, e.g. 502).
        """
        self.faults.add(method, Fault(error_code, description, html), count)

    def drop_connection_next(self, method: str, count: int = 1) -> None:
        """Close the connection of the next ``count`` calls of ``method`` without answering."""
        self.faults.add(method, Fault(drop=True), count)

    # -- webhook -----------------------------------------------------------------------------

    @property
    def webhook(self) -> dict[str, str]:
        """The webhook the bot set (url and secret_token), {} when none."""
        target = self.feed.webhook
        return {} if target is None else {"url": target.url, "secret_token": target.secret_token}

    @property
    def deliveries(self) -> list[Delivery]:
        """Every POST to the webhook so far, retries and duplicates included."""
        return self.feed.deliveries

    @property
    def queued(self) -> int:
        """Updates waiting for getUpdates."""
        return self.feed.queued

    def duplicate_next(self, count: int = 1) -> None:
        """Deliver each of the next ``count`` updates twice (a second identical POST after the
        first succeeded; with getUpdates, queued twice)."""
        self.feed.duplicate_next(count)

    async def replay(self, message_id: str) -> None:
        """Deliver an earlier update again; with a webhook, return once it was posted."""
        await self.feed.replay(message_id)

    async def post_webhook(self, body: JSON, secret: str | None, url: str | None = None) -> int:
        """POST any body with any secret (None: no header) to the webhook; return the status."""
        return await self.feed.post(body, secret, url)

    async def webhook_drained(self) -> None:
        """Wait until nothing is pending webhook delivery (retries included)."""
        await self.feed.drain()

    def photo_at(
        self, content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"
    ) -> str:
        """Serve ``content`` as Zalo's CDN serves a photo a person sent; its address (for
        ``user.send_image``). Only once the emulator listens."""
        path = f"{len(self._media) + 1}/{name}"
        self._media[path] = (content, content_type)
        return f"{self.base_url}/media/{path}"

    # -- HTTP --------------------------------------------------------------------------------

    async def _on_media(self, request: web.Request) -> web.StreamResponse:
        found = self._media.get(request.match_info["path"])
        if found is None:
            return web.Response(status=404, text="Not Found")
        content, content_type = found
        return web.Response(body=content, content_type=content_type)

    async def _on_api(self, request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        self.stats.calls[name] += 1
        try:
            if not self.token_ok(token):
                raise ZaloError(401, "Unauthorized")
            if self.bot_id is None:
                self.bot_id = token.partition(":")[0]
            fault = self.faults.take(name)
            if fault is not None and fault.drop:
                self.stats.dropped += 1
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)
            if fault is not None:
                self.stats.injected += 1
                if fault.html:
                    self.stats.errors[fault.error_code] += 1
                    return web.Response(
                        text=HTML_502 if fault.error_code == 502 else _html(fault.error()),
                        status=fault.error_code,
                        content_type="text/html",
                    )
                raise fault.error()
            handler = self._handlers.get(name)
            if handler is None:
                raise ZaloError(404, "Not Found")
            result = await handler(await Params.from_request(request), request)
        except ZaloError as error:
            self.stats.errors[error.error_code] += 1
            status = error.error_code if self.errors_as == "status" else 200
            if not 100 <= status <= 599:
                status = 400
            return web.json_response(error.body(), status=status, dumps=_dumps)
        finally:
            self.changed(None)
        body: JSON = {"ok": True} if result is NO_RESULT else {"ok": True, "result": result}
        return web.json_response(body, dumps=_dumps)


def _html(error: ZaloError) -> str:
    title = f"{error.error_code} {error.description}"
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
