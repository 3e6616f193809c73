"""The HTTP side: an aiohttp server that answers ``POST /bot<token>/<method>`` like Telegram."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Self

from aiohttp import web

from bot.testing.serving import Served
from bot.testing.telegram_emulator.administration import AdministrationMethods, menu_of
from bot.testing.telegram_emulator.limits import Fault, FaultPlan, FloodLimits
from bot.testing.telegram_emulator.messaging import Handler, MessageMethods
from bot.testing.telegram_emulator.people import FakeGroup, FakeUser
from bot.testing.telegram_emulator.updates import WebhookTarget
from bot.testing.telegram_emulator.wire import JSON, ApiError, Params
from bot.testing.telegram_emulator.world import World

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")


class TelegramEmulator(World, Served):
    """A local Telegram Bot API for end-to-end tests and benchmarks.

    Point python-telegram-bot at ``tg.api_url`` (``base_url``) and ``tg.file_url``
    (``base_file_url``); act as people with ``tg.user()`` and ``tg.group()``; read what the bot
    said with ``tg.messages()``, ``tg.wait_for()`` and ``tg.transcript()``.
    """

    def __init__(
        self,
        bot_username: str = "blocbot_test_bot",
        bot_first_name: str = "Blocbot",
        bot_id: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(bot_username, bot_first_name, bot_id, clock)
        self.messaging = MessageMethods(self)
        self.administration = AdministrationMethods(self)
        self.faults = FaultPlan()
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in (
                self.messaging.handlers() | self.administration.handlers()
            ).items()
        }
        self._held: dict[str, asyncio.Event] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Self:
        """Listen on host:port (0: any free port); sets ``base_url``."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._on_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._on_file)
        await self.serve(app, host, port)
        return self

    async def stop(self) -> None:
        """Release long polls and held calls, stop webhook delivery, close the server."""
        for held in self._held.values():
            held.set()
        await self.feed.close()
        await self.close_server()

    @property
    def api_url(self) -> str:
        """What PTB takes as ``base_url``: requests go to ``{api_url}<token>/<method>``."""
        return f"{self.base_url}/bot"

    @property
    def file_url(self) -> str:
        """What PTB takes as ``base_file_url``."""
        return f"{self.base_url}/file/bot"

    @staticmethod
    def token_ok(token: str) -> bool:
        """True for a token shaped like Telegram's: ``<digits>:<text>``."""
        return _TOKEN.fullmatch(token) is not None

    # -- trouble on purpose ------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 3,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" for any) fail with this status.

        429 carries ``retry_after``; 500 "Internal Server Error", 502 "Bad Gateway"; other
        statuses take ``description`` (e.g. status=400, description="Bad Request: ...").
        """
        self.faults.add(method, Fault(status, retry_after, description), count)

    def drop_connection_next(self, method: str, count: int = 1) -> None:
        """Close the connection of the next ``count`` calls of ``method`` without answering."""
        self.faults.add(method, Fault(drop=True), count)

    def hold(self, method: str) -> None:
        """Make calls of ``method`` ("*" for any) wait, unanswered, until ``release(method)``:
        a Telegram that answers slowly, or not at all."""
        self._held.setdefault(method.lower(), asyncio.Event())

    def release(self, method: str) -> None:
        """Answer the held calls of ``method`` and stop holding new ones."""
        held = self._held.pop(method.lower(), None)
        if held is not None:
            held.set()

    def inject_update(self, body: JSON) -> int:
        """Put a raw update, exactly as given (malformed on purpose, say), in the getUpdates
        queue (or the webhook's); return its update_id (given, or the next one when missing).

        ``tg.inject_update({"message": {"message_id": 1, "chat": {"id": 5}}})``
        """
        return self.feed.publish_raw(body)

    def menu(self, user: FakeUser, chat: FakeGroup | None = None) -> list[str]:
        """The commands a person's client lists in a chat (theirs, or a group), by Telegram's
        rules: the narrowest scope with commands, their language before no language."""
        state = self.chats.get(chat.id) if chat is not None else None
        return menu_of(self.commands, user, chat.id if chat else None, state)

    def enforce_limits(
        self, per_chat_per_sec: int = 1, per_group_per_min: int = 20, global_per_sec: int = 30
    ) -> None:
        """Answer 429 like Telegram when the bot sends faster than these limits allow.

        Applies to sendMessage, sendPhoto, sendDocument and sendSticker; every refusal is
        counted in ``stats.rate_limited``.
        """
        self.messaging.flood = FloodLimits(per_chat_per_sec, per_group_per_min, global_per_sec)

    def lift_limits(self) -> None:
        """Stop enforcing flood limits."""
        self.messaging.flood = None

    async def deliver_to(
        self,
        url: str | Sequence[str] | None,
        secret_token: str | None = None,
        connections: int = 1,
    ) -> None:
        """POST every new update to ``url`` (header X-Telegram-Bot-Api-Secret-Token) instead of
        queueing it for getUpdates; ``None`` goes back to getUpdates. Several URLs: each POST
        goes to the next one in turn (the replicas behind a balancer, without its hop).
        """
        if url is None:
            target = None
        else:
            target = WebhookTarget((url,) if isinstance(url, str) else tuple(url), secret_token)
        await self.feed.deliver_to(target, connections)

    async def webhook_drained(self) -> None:
        """Wait until every update queued for the webhook has been posted."""
        await self.feed.drain()

    @property
    def webhook(self) -> dict[str, object]:
        """What the bot last set with setWebhook ({} when none)."""
        return self.administration.webhook

    # -- HTTP --------------------------------------------------------------------------------

    async def _on_api(self, request: web.Request) -> web.StreamResponse:
        token, asked = request.match_info["token"], request.match_info["method"]
        found = self._methods.get(asked.lower())
        name = found[0] if found else asked
        self.stats.calls[name] += 1
        try:
            if not self.token_ok(token):
                raise ApiError(401, "Unauthorized")
            if self.bot_id is None:
                self.bot_id = int(token.partition(":")[0])
            for key in (name.lower(), "*"):
                held = self._held.get(key)
                if held is not None:
                    self.changed(None)  # a held call counts as soon as it arrives
                    await held.wait()
            params = await Params.from_request(request) if found is not None else None
            fault = self.faults.take(name, params)
            if fault is not None and fault.drop:
                self.stats.dropped += 1
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)
            if fault is not None:
                self.stats.injected += 1
                raise fault.error()
            if found is None or params is None:
                raise ApiError(404, "Not Found: method not found")
            result = await found[1](params)
        except ApiError as error:
            self.stats.errors[error.status] += 1
            return web.json_response(error.body(), status=error.status)
        finally:
            self.changed(None)  # wait_until re-checks after every call
        return web.json_response({"ok": True, "result": result})

    async def _on_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.file_paths.get(request.match_info["path"])
        if self.token_ok(request.match_info["token"]) and stored and stored.content is not None:
            return web.Response(body=stored.content, content_type="application/octet-stream")
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )
