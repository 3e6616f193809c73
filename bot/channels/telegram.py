"""The Telegram channel: python-telegram-bot updates in, Outgoing messages out.

Every update goes through one TypeHandler: it becomes an ``Incoming``, the router answers, and the
replies are rendered (inline keyboards, edits, long texts split) and sent with retries. Updates
run concurrently across chats; within a chat the router's turn keeps them, and their replies,
in the order they arrived.

Replies, menus, the outbox and polling go through one aiohttp client (``telegram_api.BotApi``,
one connection pool); python-telegram-bot reads the updates and makes the calls at start-up.
Nothing Telegram does stops the channel: at start-up it waits for Telegram as long as it takes,
polling outlives lost connections and skips malformed updates (``telegram_polling``), and one
retry policy (``BotApi.send``) covers every reply.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import TypeHandler
from telegram.warnings import PTBDeprecationWarning

from bot.channels.background import Background
from bot.channels.hub import Hub
from bot.channels.inbox import Inbox
from bot.channels.reaching import Backoff, address
from bot.channels.reporting import Observer, State
from bot.channels.telegram_api import (
    ATTEMPTS,
    CONNECT_TIMEOUT,
    CONNECTIONS,
    BotApi,
    BotApiError,
    BotApiUnreachable,
    TelegramUnavailable,
    bot_username,
    reason,
    refused,
)
from bot.channels.telegram_calls import GroupPace, JSONDict, keyboard
from bot.channels.telegram_files import upload
from bot.channels.telegram_menus import Directory, Menus
from bot.channels.telegram_outbox import send_outbox_message
from bot.channels.telegram_polling import Poller
from bot.channels.telegram_setup import application
from bot.channels.telegram_updates import (
    PLATFORM,
    bot_joined,
    read_update,
    to_incoming,
)
from bot.channels.telegram_webhook import chat_key, receiver, register, webhook_path
from bot.channels.text import TELEGRAM_LIMIT, split_text
from bot.config import Settings, revealed
from bot.handlers.model import Incoming, IncomingKind, Outgoing, Replies
from bot.handlers.router import Router
from bot.i18n import _, use_locale
from bot.scheduler.sending import DeliveryResult, Parcel, PartRecorder
from bot.storage.files import FileStore, file_store

log = logging.getLogger(__name__)

T = TypeVar("T")

__all__ = [
    "ATTEMPTS",
    "PLATFORM",
    "TelegramChannel",
    "TelegramUnavailable",
    "bot_username",
    "read_update",
    "to_incoming",
]

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"]
POLL_TIMEOUT = timedelta(seconds=25)  # how long a getUpdates long poll waits for an update


class TelegramChannel:
    """Runs the bot on Telegram by long polling, or by webhook, until stopped.

    With ``telegram_polling`` off it reads no updates and only sends the outbox: a replica
    beside the one that polls (Telegram lets one process at a time call getUpdates). In webhook
    mode the updates go through the ``inbox``, which every replica's worker takes them from.
    With a ``directory`` each linked person gets a command menu of their own.
    """

    def __init__(
        self,
        settings: Settings,
        router: Router,
        hub: Hub,
        directory: Directory | None = None,
        *,
        state: State | None = None,
        observer: Observer | None = None,
        files: FileStore | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        if not settings.telegram_token:
            raise ValueError("the Telegram channel needs BLOCBOT_TELEGRAM_TOKEN")
        self.settings = settings
        self.router = router
        self.hub = hub
        # One pool for everything: replies, the outbox's sends, the long poll and its confirm.
        self.api = BotApi(
            settings.telegram_token.get_secret_value(),
            settings.telegram_base_url,
            CONNECTIONS + settings.outbox_concurrency + 2,
        )
        self.pace = GroupPace()
        self.application = application(settings, self.api)
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.files = files or file_store(settings)  # the files of outbox messages
        self.menus = Menus(router, settings.locale, self._safely, directory)
        self.poller: Poller | None = None
        self.state = state
        self.observer = observer
        self.webhook = settings.webhook_mode and settings.telegram_polling
        self.inbox = inbox
        if self.webhook:
            if inbox is None:
                raise ValueError("in webhook mode the Telegram channel reads an inbox")
            inbox.handle(PLATFORM, self._from_inbox)
        self._welcomed: deque[int] = deque(maxlen=1000)
        self.background = Background("telegram")

    @property
    def label(self) -> str:
        """``telegram: @username``, for the log."""
        only = "" if self.settings.telegram_polling else " (sending only)"
        only = " (webhook)" if self.webhook else only
        return f"{PLATFORM}: @{self.application.bot.username}{only}"

    async def start(self) -> None:
        """Reach Telegram (waiting as long as it takes), set the menus, and start polling."""
        application = self.application
        await self._connect()
        self.menus.bot = str(self.application.bot.id)
        if self.settings.telegram_polling:
            await self.menus.publish_general()
        await application.start()
        self.hub.register(PLATFORM, self)
        self.hub.register_sender(PLATFORM, self)
        if self.state is not None:
            self.state.ok()
        if not self.settings.telegram_polling:
            return
        if not self.webhook:
            self.poller = Poller(
                self.api,
                application.bot,
                application.update_queue,
                self.settings.telegram_base_url,
                ALLOWED_UPDATES,
                POLL_TIMEOUT,
                self.state,
            )
            self.poller.start()

    def lead(self) -> None:
        """Once this replica leads: set every linked person's menu again (thousands of calls
        with many blocs; one replica does it, not each of them at its start)."""
        self.background.spawn(self.menus.publish_everyone())

    async def _connect(self) -> None:
        """Initialize the bot (getMe), trying again after a growing pause while it fails.

        Raises TelegramUnavailable when Telegram refuses the token: waiting would not help.
        """
        where = address(self.settings.telegram_base_url)
        backoff = Backoff()
        while True:
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT):
                    await self.api.open()
                    await self.application.initialize()
                    if self.webhook:
                        settings = self.settings
                        assert settings.webhook_url and settings.webhook_secret
                        await register(
                            self.application.bot,
                            settings.webhook_url + self.webhook_path,
                            settings.webhook_secret.get_secret_value(),
                            ALLOWED_UPDATES,
                        )
                    elif self.settings.telegram_polling:  # getUpdates answers 409 under a webhook
                        await self.application.bot.delete_webhook(drop_pending_updates=False)
            except InvalidToken:
                raise TelegramUnavailable(refused(where)) from None
            except (TelegramError, TimeoutError, OSError) as error:
                pause = _retry_after(error) if isinstance(error, RetryAfter) else backoff.next()
                log.warning(
                    _(
                        "Could not reach Telegram at {address} ({reason}); trying again in "
                        "{seconds:g} s."
                    ).format(address=where, reason=reason(error), seconds=pause)
                )
                await asyncio.sleep(pause)
            else:
                if backoff.reset():
                    log.info(_("Reached Telegram at {address}.").format(address=where))
                return

    async def stop(self) -> None:
        """Stop polling, finish the updates in hand, and disconnect (after any start, even one
        cut short)."""
        application = self.application
        if self.poller is not None:
            await self.poller.stop()
            self.poller = None
        if application.running:
            await application.stop()
        await self.background.stop()
        self.hub.unregister_sender(PLATFORM)
        self.hub.unregister(PLATFORM)
        await application.shutdown()
        await self.application.bot.shutdown()  # also when initialize() was cut short
        await self.api.close()

    @property
    def webhook_path(self) -> str:
        """Where the web server takes Telegram's updates (never the token itself)."""
        return webhook_path(revealed(self.settings.telegram_token))

    def on_webhook(self) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """The web server's handler of Telegram's webhook requests."""
        assert self.settings.webhook_secret is not None
        return receiver(
            self.application.bot,
            self.settings.webhook_secret.get_secret_value(),
            self._keep,
            partial(self._refused),
            partial(self._received),
        )

    async def _keep(self, update: Update, data: dict[str, Any]) -> None:
        """Store a webhook's update in the inbox; raises when it could not."""
        assert self.inbox is not None
        key = str(update.update_id)
        await self.inbox.receive(PLATFORM, chat_key(update), key, data, update)

    async def _from_inbox(self, payload: dict[str, Any], update: Update | None = None) -> None:
        """Handle an update the inbox hands over (``update``: as read on receipt, else read
        here), as polling would; raises when the router could not record it."""
        if update is None:
            update = Update.de_json(payload, self.application.bot)
        await self._on_update(update, None)

    def _refused(self) -> None:
        if self.observer is not None:
            self.observer.webhook_refused(PLATFORM)

    def _received(self) -> None:
        if self.state is not None:
            self.state.ok()

    async def send(self, outgoing: Outgoing) -> None:
        """Send to the chat the message names (a group post, another person)."""
        if outgoing.chat_id is None:
            raise ValueError("a message sent through the hub names its chat")
        await self._render(outgoing.chat_id, None, outgoing)

    async def deliver(self, parcel: Parcel, part_sent: PartRecorder) -> DeliveryResult:
        """Send an outbox message: one attempt, its outcome told, never raised."""
        return await send_outbox_message(self.api, parcel, part_sent, files=self.files)

    # -- updates ------------------------------------------------------------------------------

    async def _on_update(self, update: Update, _context: object) -> None:
        """Hand one update to the router and send what it answers."""
        bot = self.application.bot
        if bot_joined(update, bot.id):
            await self._welcome_group(update)
            return
        received = time.monotonic()
        incoming = to_incoming(update, bot.username)
        if incoming is None:
            if update.callback_query is not None:
                await self._answer(update.callback_query.id, None)
            self._observe("ignored", None)
            return
        async with self.router.turn(incoming.platform, incoming.chat_id):
            replies = Replies()
            try:
                replies = await self.router.handle_in_turn(incoming)
            finally:
                if incoming.callback_id is not None:
                    await self._answer(incoming.callback_id, replies.notice)
            await self.hub.send_replies(replies, incoming, partial(self._reply, incoming))
        outcome = replies.outcome
        if outcome == "handled" and incoming.kind is IncomingKind.UNSUPPORTED:
            outcome = "unsupported"
        self._observe(outcome, time.monotonic() - received)
        if replies.menu_changed:
            self.background.spawn(self.menus.republish(incoming.sender.user_id))

    def _observe(self, outcome: str, seconds: float | None) -> None:
        if self.observer is not None:
            self.observer.update(PLATFORM, outcome, seconds)

    async def _welcome_group(self, update: Update) -> None:
        """Say once, in a group that just added the bot, how to link it to a bloc."""
        message = update.effective_message
        if message is None or update.update_id in self._welcomed:
            return
        self._welcomed.append(update.update_id)
        chat_id = str(message.chat.id)
        with use_locale(self.settings.locale):
            text = _(
                "Hello! I am blocbot, the assistant of your emulation bloc (khối thi đua).\n"
                "To link this group to your bloc, the bloc head or a deputy sends here:\n"
                "/linkgroup CODE\n"
                "with the group code from the bloc's invite codes."
            )
        async with self.router.turn(PLATFORM, chat_id):
            await self._render(chat_id, None, Outgoing(text))

    async def _on_error(self, update: object, context: Any) -> None:
        """Log, in one line, what went wrong while handling an update (the traceback at debug)."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed: %r", update_id, context.error)
        log.debug("update %s failed", update_id, exc_info=context.error)

    # -- sending ------------------------------------------------------------------------------

    async def _reply(self, incoming: Incoming, outgoing: Outgoing) -> None:
        """Answer in the chat of ``incoming``; ``edit`` replaces the message of its button."""
        edited = incoming.message_id if outgoing.edit else None
        await self._render(incoming.chat_id, edited, outgoing)

    async def _render(self, chat_id: str, edited: str | None, outgoing: Outgoing) -> None:
        """Send ``outgoing`` in as many messages as its length needs, buttons on the last, then
        its files."""
        chunks = split_text(outgoing.text, TELEGRAM_LIMIT)
        markup = keyboard(outgoing)
        if edited is not None and chunks:
            rest = chunks[1:]
            if await self._edit(chat_id, int(edited), chunks[0], None if rest else markup):
                chunks = rest
        for number, chunk in enumerate(chunks, 1):
            last = number == len(chunks)
            await self._safely(
                "sendMessage", chat_id=chat_id, text=chunk, reply_markup=markup if last else None
            )
        for file in outgoing.attachments:
            try:
                sending, uploads = await upload(file, self.files)
            except Exception as error:
                log.error("%s to %s left out (%r)", file.filename, chat_id, error)
                continue
            await self._safely(sending, uploads, chat_id=chat_id)

    async def _edit(
        self, chat_id: str, message_id: int, text: str, markup: JSONDict | None
    ) -> bool:
        """Replace a message's text and buttons; False when a new message should be sent."""
        try:
            await self.pace.wait(chat_id)
            await self.api.send(
                "editMessageText",
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                reply_markup=markup,
            )
        except BotApiError as error:
            if error.not_modified:
                return True
            if error.code == 403:
                log.info("chat %s does not take messages (%s): dropped", chat_id, error)
                return True
            if error.code == 400:
                log.info(
                    "could not edit message %s in %s (%s): sending anew",
                    message_id,
                    chat_id,
                    error,
                )
            else:
                log.warning("editMessageText to %s failed (%s): sending anew", chat_id, error)
            return False
        except BotApiUnreachable as error:
            log.warning("editMessageText to %s failed (%s): sending anew", chat_id, error)
            return False
        return True

    async def _answer(self, callback_id: str, notice: str | None) -> None:
        """Acknowledge a pressed button, with a short notice if there is one."""
        await self._safely("answerCallbackQuery", callback_query_id=callback_id, text=notice)

    async def _safely(self, method: str, files: Any = None, **params: Any) -> bool:
        """Make a Bot API call with the client's retries: True once made; a failure is
        logged, never raised.

        Messages to a group keep its pace (20 a minute) first.
        """
        try:
            await self.pace.wait(params.get("chat_id"))
            await self.api.send(method, files, **params)
            return True
        except BotApiError as error:
            if error.code == 403:
                log.info("%s: the chat does not take messages (%s): dropped", method, error)
            elif error.flood or error.server_side:
                log.warning("%s failed after %d attempts (%s): dropped", method, ATTEMPTS, error)
            else:
                log.warning("%s refused (%s): dropped", method, error)
        except BotApiUnreachable as error:
            log.warning("%s failed after %d attempts (%s): dropped", method, ATTEMPTS, error)
        except Exception as error:
            log.error("%s failed (%r): dropped", method, error)
            log.debug("%s failed", method, exc_info=error)
        return False


def _retry_after(error: RetryAfter) -> float:
    """Seconds a flood error of python-telegram-bot asks to wait (an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
