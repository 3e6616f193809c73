"""The Zalo channel: Zalo Bot API updates in, Outgoing messages out, on aiohttp.

Updates arrive by long polling (the default) or at the web server's webhook (with
BLOCBOT_WEBHOOK_URL). A polled update is acknowledged only once the router has recorded it: the
poller asks for the next update then (Zalo has no offset: what a poll hands out is never handed
out again, so an update is retried here until it is recorded). The webhook answers 200 once the
update is committed to the inbox, which whichever replica is free handles it from
(``bot.channels.inbox``). Replies go out afterwards, in order within each chat.

Zalo has no buttons and no edits: choices are numbered options, an edit is a new message, and
texts are split under 2,000 UTF-16 units at line boundaries. Zalo passes no documents to bots:
a reply that asks for one carries a signed link to the bot's upload page, and what is sent
there is handed in (``hand_in``) as if it had come in the chat.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from functools import partial
from typing import Any

from aiohttp import web

from bot.channels.background import Background
from bot.channels.hub import Hub
from bot.channels.inbox import Inbox
from bot.channels.reaching import Backoff, address
from bot.channels.reporting import Observer, Reach, State
from bot.channels.text import ZALO_LIMIT, render_options, split_text, utf16_units
from bot.channels.zalo_api import ATTEMPTS, CONNECTIONS, ZaloApi, ZaloError, ZaloUnreachable
from bot.channels.zalo_files import file_links, zalo_call
from bot.channels.zalo_outbox import send_outbox_message
from bot.channels.zalo_updates import PLATFORM, read, updates_in
from bot.config import Settings, revealed
from bot.handlers.model import Incoming, Outgoing, Replies, Upload
from bot.handlers.router import Router
from bot.i18n import _
from bot.scheduler.sending import DeliveryResult, Parcel, PartRecorder
from bot.storage.files import FileLinks, FileStore, UploadGrant, file_store

log = logging.getLogger(__name__)

POLL_WAIT = 30  # seconds a getUpdates long poll waits (Zalo's default)
SECRET_HEADER = "X-Bot-Api-Secret-Token"


class ZaloUnavailable(Exception):
    """Zalo refuses the token: waiting would not help."""


class ZaloChannel:
    """Runs the bot on Zalo, until stopped.

    ``files`` and ``links`` are the file store and the download links of the bot's web server,
    which serves the files messages carry (by default those of ``settings``). In webhook mode
    the updates go through the ``inbox``.
    """

    def __init__(
        self,
        settings: Settings,
        router: Router,
        hub: Hub,
        *,
        reach: Reach | None = None,
        state: State | None = None,
        observer: Observer | None = None,
        files: FileStore | None = None,
        links: FileLinks | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        if not settings.zalo_token:
            raise ValueError("the Zalo channel needs BLOCBOT_ZALO_TOKEN")
        self.files = files or file_store(settings)
        self.links = links or file_links(settings)
        self.settings = settings
        self.router = router
        self.hub = hub
        self.reach = reach
        self.state = state
        self.observer = observer
        # One pool for everything: replies, the outbox's sends and the long poll.
        self.api = ZaloApi(
            settings.zalo_token.get_secret_value(),
            settings.zalo_base_url,
            CONNECTIONS + settings.outbox_concurrency + 1,
        )
        self.address = address(settings.zalo_base_url)
        self.bot_name: str | None = None
        self.can_join_groups = False
        self.webhook = settings.webhook_mode
        self.inbox = inbox
        if self.webhook:
            if inbox is None:
                raise ValueError("in webhook mode the Zalo channel reads an inbox")
            inbox.handle(PLATFORM, self._from_inbox)
        self._polling: asyncio.Task[None] | None = None
        self.background = Background("zalo")

    @property
    def label(self) -> str:
        """``zalo: Bot Name (webhook)``, for the log."""
        mode = "webhook" if self.webhook else "polling"
        return f"{PLATFORM}: {self.bot_name or '?'} ({mode})"

    def lead(self) -> None:
        """Nothing to do once per lead: Zalo has no command menus."""

    @property
    def webhook_path(self) -> str:
        """Where the web server takes Zalo's updates: named by a hash, never by the token."""
        token = revealed(self.settings.zalo_token).encode()
        return "/webhook/zalo/" + hashlib.sha256(b"zalo-webhook:" + token).hexdigest()[:32]

    async def start(self) -> None:
        """Reach Zalo (waiting as long as it takes), then poll or register the webhook."""
        me = await self._patiently("getMe")
        if isinstance(me, dict):
            name = me.get("account_name") or me.get("display_name") or me.get("name")
            self.bot_name = name if isinstance(name, str) and name.strip() else None
            self.can_join_groups = me.get("can_join_groups") is True
        if self.reach is not None:
            self.reach.groups(PLATFORM, self.can_join_groups)
        if not self.can_join_groups:
            log.info(
                _(
                    "The Zalo bot cannot be in groups: posts meant for a bloc's group go to its "
                    "contacts on Zalo as direct messages."
                )
            )
        if self.webhook:
            assert self.settings.webhook_url and self.settings.webhook_secret
            await self._patiently(
                "setWebhook",
                url=self.settings.webhook_url + self.webhook_path,
                secret_token=self.settings.webhook_secret.get_secret_value(),
            )
        else:
            await self._patiently("deleteWebhook")  # getUpdates is refused under a webhook
        self.hub.register(PLATFORM, self)
        self.hub.register_sender(PLATFORM, self)
        if self.state is not None:
            self.state.ok()
        if not self.webhook:
            self._polling = asyncio.create_task(self._poll(), name="zalo-polling")

    async def stop(self) -> None:
        """Stop polling, finish the replies in hand, and disconnect."""
        polling, self._polling = self._polling, None
        if polling is not None:
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
        await self.background.stop(grace=5.0)  # the replies in hand
        self.hub.unregister_sender(PLATFORM)
        self.hub.unregister(PLATFORM)
        await self.api.close()

    async def _patiently(self, method: str, **params: Any) -> Any:
        """Call ``method`` until Zalo answers it; ZaloUnavailable when it refuses the token."""
        backoff = Backoff()
        while True:
            try:
                result = await self.api.call(method, **params)
            except ZaloError as error:
                if error.unauthorized:
                    raise ZaloUnavailable(
                        _(
                            "Zalo at {address} refused the token in BLOCBOT_ZALO_TOKEN; check "
                            "it in Zalo Bot Manager."
                        ).format(address=self.address)
                    ) from None
                if not (error.rate_limited or error.server_side):
                    raise ZaloUnavailable(
                        _("Zalo at {address} refused {method}: {reason}.").format(
                            address=self.address, method=method, reason=error
                        )
                    ) from None
                cause = str(error)
            except ZaloUnreachable as error:
                cause = str(error)
            else:
                if backoff.reset():
                    log.info(_("Reached Zalo at {address}.").format(address=self.address))
                return result
            pause = backoff.next()
            log.warning(
                _(
                    "Could not reach Zalo at {address} ({reason}); trying again in {seconds:g} s."
                ).format(address=self.address, reason=cause, seconds=pause)
            )
            await asyncio.sleep(pause)

    # -- updates ------------------------------------------------------------------------------

    async def _poll(self) -> None:
        """Read updates one long poll after another; a failure waits and tries again."""
        backoff = Backoff()
        while True:
            try:
                result = await self.api.call("getUpdates", wait=POLL_WAIT, timeout=str(POLL_WAIT))
            except (ZaloError, ZaloUnreachable) as error:
                if isinstance(error, ZaloError) and error.code == 408:
                    self._healthy(backoff)  # nothing came during the poll
                    continue
                pause = backoff.next()
                if self.state is not None:
                    self.state.failing(str(error))
                log.warning(
                    _(
                        "Could not read messages from Zalo at {address} ({reason}); trying "
                        "again in {seconds:g} s."
                    ).format(address=self.address, reason=error, seconds=pause)
                )
                await asyncio.sleep(pause)
                continue
            self._healthy(backoff)
            for update in updates_in(result):
                await self._until_recorded(update)

    def _healthy(self, backoff: Backoff) -> None:
        if backoff.reset():
            log.info(
                _("Zalo at {address} answers again; reading messages.").format(
                    address=self.address
                )
            )
        if self.state is not None:
            self.state.ok()

    async def _until_recorded(self, update: dict[str, Any]) -> None:
        """Accept a polled update, trying again while it cannot be recorded: Zalo will not
        hand it out a second time."""
        backoff = Backoff()
        while True:
            try:
                await self.accept(update)
                return
            except Exception as error:
                pause = backoff.next()
                log.error(
                    "could not record a zalo update (%s); trying again in %g s", error, pause
                )
                log.debug("could not record a zalo update", exc_info=error)
                await asyncio.sleep(pause)

    async def accept(self, update: dict[str, Any]) -> None:
        """Hand one update to the router; return once it is recorded, its replies to follow.

        Raises what kept it from being recorded (the database is down): it was not.
        """
        received = time.monotonic()
        parsed = read(update, self.bot_name)
        incoming = parsed.incoming
        if incoming is None:
            self._observe("ignored", None)
            return
        recorded: asyncio.Future[Replies] = asyncio.get_running_loop().create_future()
        self.background.spawn(self._handle(incoming, received, recorded))
        await recorded

    async def hand_in(self, incoming: Incoming) -> Replies:
        """Handle an update that reached the bot outside Zalo (a file sent through the upload
        page) in its Zalo chat's turn; its replies, which go to that chat afterwards."""
        recorded: asyncio.Future[Replies] = asyncio.get_running_loop().create_future()
        self.background.spawn(self._handle(incoming, time.monotonic(), recorded))
        return await recorded

    async def _from_inbox(self, update: dict[str, Any], incoming: Incoming | None = None) -> None:
        """Handle an update the inbox hands over (``incoming``: as read on receipt, else read
        here) and send its replies; raises when the router could not record it."""
        if incoming is None:
            incoming = read(update, self.bot_name).incoming
        if incoming is None:
            self._observe("ignored", None)
            return
        await self._handle(incoming, time.monotonic())

    async def _handle(
        self,
        incoming: Incoming,
        received: float,
        recorded: asyncio.Future[Replies] | None = None,
    ) -> None:
        """Handle one update in its chat's turn and send the replies; ``recorded`` is told as
        soon as the router has recorded it (without one, what kept it from that is raised)."""
        async with self.router.turn(PLATFORM, incoming.chat_id):
            try:
                replies = await self.router.handle_in_turn(incoming)
            except BaseException as error:
                if recorded is None:
                    raise
                if not recorded.done():
                    recorded.set_exception(error)
                if isinstance(error, Exception):
                    return
                raise
            if recorded is not None:
                recorded.set_result(replies)
            await self.hub.send_replies(replies, incoming, partial(self._reply, incoming))
        outcome = replies.outcome
        if outcome == "handled" and incoming.kind.value in ("unsupported", "withheld"):
            outcome = "unsupported"
        self._observe(outcome, time.monotonic() - received)

    def _observe(self, outcome: str, seconds: float | None) -> None:
        if self.observer is not None:
            self.observer.update(PLATFORM, outcome, seconds)

    async def on_webhook(self, request: web.Request) -> web.StreamResponse:
        """Zalo's POST of one update: 403 without the secret, 200 once it is in the inbox (a
        body that holds no update too: sending it again would not make it one)."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        expected = revealed(self.settings.webhook_secret).encode()
        if not expected or not hmac.compare_digest(given, expected):
            if self.observer is not None:
                self.observer.webhook_refused(PLATFORM)
            log.warning("a zalo webhook request without the right secret was refused")
            return web.json_response({"ok": False, "description": "Forbidden"}, status=403)
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            log.warning("a zalo webhook request that is not JSON was skipped")
            return web.json_response({"ok": True})
        try:
            for update in updates_in(body):
                await self._keep(update)
        except Exception as error:
            log.error("could not store a zalo update (%s): Zalo will send it again", error)
            log.debug("could not store a zalo update", exc_info=error)
            return web.json_response({"ok": False}, status=500)
        if self.state is not None:
            self.state.ok()
        return web.json_response({"ok": True})

    async def _keep(self, update: dict[str, Any]) -> None:
        """Store a webhook's update in the inbox, unless it is not for the bot."""
        assert self.inbox is not None
        parsed = read(update, self.bot_name)
        if parsed.incoming is None:
            self._observe("ignored", None)
            return
        incoming = parsed.incoming
        await self.inbox.receive(PLATFORM, incoming.chat_id, parsed.key, update, incoming)

    # -- sending ------------------------------------------------------------------------------

    async def send(self, outgoing: Outgoing) -> None:
        """Send to the chat the message names (a group post, another person)."""
        if outgoing.chat_id is None:
            raise ValueError("a message sent through the hub names its chat")
        await self._render(outgoing.chat_id, outgoing)

    async def deliver(self, parcel: Parcel, part_sent: PartRecorder) -> DeliveryResult:
        """Send an outbox message: one attempt, its outcome told, never raised."""
        return await send_outbox_message(
            self.api, parcel, part_sent, files=self.files, links=self.links
        )

    async def _reply(self, incoming: Incoming, outgoing: Outgoing) -> None:
        await self._render(incoming.chat_id, outgoing, incoming.sender.user_id)

    async def _render(self, chat_id: str, outgoing: Outgoing, user_id: str | None = None) -> None:
        """Send ``outgoing`` as numbered options, in as many messages as its length needs, then
        its files, then the link to the page that takes the file it asks for."""
        for chunk in split_text(render_options(outgoing), ZALO_LIMIT, utf16_units):
            await self._safely("sendMessage", chat_id=chat_id, text=chunk)
        for attachment in outgoing.attachments:
            try:
                method, params = await zalo_call(attachment, self.files, self.links)
            except (OSError, ValueError) as error:
                log.warning("%s to %s left out: %s", attachment.filename, chat_id, error)
                continue
            await self._safely(method, chat_id=chat_id, **params)
        if outgoing.upload is not None:
            line = self._upload_line(outgoing.upload, chat_id, user_id or chat_id)
            await self._safely("sendMessage", chat_id=chat_id, text=line)

    def _upload_line(self, upload: Upload, chat_id: str, user_id: str) -> str:
        grant = UploadGrant(
            upload.purpose, PLATFORM, upload.contact_id, upload.agency_id, user_id, chat_id
        )
        return f"{upload.label}\n{self.links.upload_url(grant)}"

    async def _safely(self, method: str, **params: Any) -> None:
        """Send with the client's retries; a failure is logged, never raised."""
        chat_id = params.get("chat_id")
        try:
            await self.api.send(method, **params)
        except ZaloError as error:
            if error.rate_limited or error.server_side:
                log.warning(
                    "%s to %s failed after %d attempts (%s): dropped",
                    method,
                    chat_id,
                    ATTEMPTS,
                    error,
                )
            else:
                log.warning("%s to %s refused (%s): dropped", method, chat_id, error)
        except ZaloUnreachable as error:
            log.warning("%s to %s failed (%s): dropped", method, chat_id, error)
