"""The Telegram channel: python-telegram-bot updates in, Outgoing messages out.

Every update goes through one TypeHandler: it becomes an ``Incoming``, the router answers, and the
replies are rendered (inline keyboards, edits, long texts split) and sent with retries. Updates
run concurrently across chats; within a chat the hub's turn keeps them, and their replies, in the
order they arrived.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, TypeHandler
from telegram.request import HTTPXRequest

from bot.channels.hub import Hub
from bot.channels.telegram_outbox import deliver, outbox_bot, retry_after
from bot.channels.text import TELEGRAM_LIMIT, split_text
from bot.config import Settings
from bot.handlers.model import ChatKind, Incoming, IncomingKind, Outgoing, Replies, Sender
from bot.handlers.router import Audience, Router
from bot.i18n import _, use_locale
from bot.scheduler.sending import DeliveryResult

log = logging.getLogger(__name__)

T = TypeVar("T")
TelegramApp = Application[Any, Any, Any, Any, Any, Any]

PLATFORM = "telegram"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"]
CHAT_KINDS = {"private": ChatKind.PRIVATE, "group": ChatKind.GROUP, "supergroup": ChatKind.GROUP}
POLL_TIMEOUT = timedelta(seconds=25)  # how long a getUpdates long poll waits for an update
CONCURRENT_UPDATES = 256
CONNECTIONS = 32  # a send takes milliseconds; a bigger pool costs more per request than it saves
ATTEMPTS = 4  # tries of one Bot API call: the first and three retries
BACKOFF = 0.5  # seconds before the first retry after a network error; doubles each time
LONGEST_WAIT = 60.0  # a flood wait longer than this gives the message up
PAYLOAD_BYTES = 64  # Telegram's limit on callback_data


class TelegramChannel:
    """Runs the bot on Telegram by long polling, until stopped.

    With ``telegram_polling`` off it reads no updates and only sends the outbox: a replica
    beside the one that polls (Telegram lets one process at a time call getUpdates).
    """

    def __init__(self, settings: Settings, router: Router, hub: Hub) -> None:
        if not settings.telegram_token:
            raise ValueError("the Telegram channel needs BLOCBOT_TELEGRAM_TOKEN")
        self.settings = settings
        self.router = router
        self.hub = hub
        self.application = _application(settings)
        self.outbox_bot = outbox_bot(
            settings.telegram_token, settings.telegram_base_url, settings.outbox_concurrency
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self._welcomed: deque[int] = deque(maxlen=1000)

    @property
    def label(self) -> str:
        """``telegram: @username``, for the log."""
        only = "" if self.settings.telegram_polling else " (sending only)"
        return f"{PLATFORM}: @{self.application.bot.username}{only}"

    async def start(self) -> None:
        """Connect, publish the command list, and start polling."""
        application = self.application
        await application.initialize()
        await self.outbox_bot.initialize()
        if self.settings.telegram_polling:
            await self._publish_commands()
        await application.start()
        self.hub.register(PLATFORM, self)
        self.hub.register_sender(PLATFORM, self)
        if not self.settings.telegram_polling:
            return
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0,
            timeout=POLL_TIMEOUT,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )

    async def stop(self) -> None:
        """Stop polling, finish the updates in hand, and disconnect."""
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        self.hub.unregister_sender(PLATFORM)
        self.hub.unregister(PLATFORM)
        await application.shutdown()
        await self.outbox_bot.shutdown()

    async def send(self, outgoing: Outgoing) -> None:
        """Send to the chat the message names (a group post, another person)."""
        if outgoing.chat_id is None:
            raise ValueError("a message sent through the hub names its chat")
        await self._render(outgoing.chat_id, None, outgoing)

    async def deliver(
        self, chat_id: str, chat_kind: str, text: str, payload: dict[str, Any]
    ) -> DeliveryResult:
        """Send an outbox message: one attempt, its outcome told, never raised."""
        return await deliver(self.outbox_bot, chat_id, text, payload)

    # -- updates ------------------------------------------------------------------------------

    async def _on_update(self, update: Update, _context: object) -> None:
        """Hand one update to the router and send what it answers."""
        bot = self.application.bot
        if _bot_joined(update, bot.id):
            await self._welcome_group(update)
            return
        incoming = to_incoming(update, bot.username)
        if incoming is None:
            if update.callback_query is not None:
                await self._answer(update.callback_query.id, None)
            return
        async with self.hub.turn(incoming.platform, incoming.chat_id):
            replies = Replies()
            try:
                replies = await self.router.handle(incoming)
            finally:
                if incoming.callback_id is not None:
                    await self._answer(incoming.callback_id, replies.notice)
            await self.hub.deliver(replies, incoming, partial(self._reply, incoming))

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
        async with self.hub.turn(PLATFORM, chat_id):
            await self._render(chat_id, None, Outgoing(text))

    async def _on_error(self, update: object, context: Any) -> None:
        """Log what went wrong while handling an update."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=context.error)

    # -- sending ------------------------------------------------------------------------------

    async def _reply(self, incoming: Incoming, outgoing: Outgoing) -> None:
        """Answer in the chat of ``incoming``; ``edit`` replaces the message of its button."""
        edited = incoming.message_id if outgoing.edit else None
        await self._render(incoming.chat_id, edited, outgoing)

    async def _render(self, chat_id: str, edited: str | None, outgoing: Outgoing) -> None:
        """Send ``outgoing`` in as many messages as its length needs, buttons on the last."""
        chunks = split_text(outgoing.text, TELEGRAM_LIMIT)
        markup = keyboard(outgoing)
        if edited is not None and chunks:
            rest = chunks[1:]
            if await self._edit(chat_id, int(edited), chunks[0], None if rest else markup):
                chunks = rest
        for number, chunk in enumerate(chunks, 1):
            last = number == len(chunks)
            await self._safely(
                "sendMessage",
                partial(
                    self.application.bot.send_message,
                    chat_id,
                    chunk,
                    reply_markup=markup if last else None,
                ),
            )

    async def _edit(
        self, chat_id: str, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> bool:
        """Replace a message's text and buttons; False when a new message should be sent."""
        bot = self.application.bot
        try:
            await _retrying(
                partial(bot.edit_message_text, text, chat_id, message_id, reply_markup=markup)
            )
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return True
            log.info(
                "could not edit message %s in %s (%s): sending anew", message_id, chat_id, error
            )
            return False
        except Forbidden as error:
            log.info("chat %s does not take messages (%s): dropped", chat_id, error)
            return True
        except TelegramError as error:
            log.warning("editMessageText to %s failed (%s): sending anew", chat_id, error)
            return False
        return True

    async def _answer(self, callback_id: str, notice: str | None) -> None:
        """Acknowledge a pressed button, with a short notice if there is one."""
        bot = self.application.bot
        await self._safely(
            "answerCallbackQuery", partial(bot.answer_callback_query, callback_id, text=notice)
        )

    async def _publish_commands(self) -> None:
        """Set the command menu: Vietnamese by default, English for English clients."""
        public = [
            command
            for command in self.router.ordered
            if command.audience in (Audience.ANYONE, Audience.LINKED)
        ]
        for language in (None, "en"):
            with use_locale(language or "vi"):
                commands = [BotCommand(c.name, _(c.summary)[:256]) for c in public]
            await self._safely(
                "setMyCommands",
                partial(self.application.bot.set_my_commands, commands, language_code=language),
            )

    async def _safely(self, method: str, call: Callable[[], Awaitable[object]]) -> None:
        """Make a Bot API call with retries; a failure is logged, never raised."""
        try:
            await _retrying(call)
        except Forbidden as error:
            log.info("%s: the chat does not take messages (%s): dropped", method, error)
        except BadRequest as error:
            log.warning("%s refused (%s): dropped", method, error)
        except TelegramError as error:
            log.warning("%s failed after %d attempts (%s): dropped", method, ATTEMPTS, error)
        except Exception:
            log.exception("%s failed: dropped", method)


async def _retrying(call: Callable[[], Awaitable[T]]) -> T:
    """Call, waiting out flood limits and retrying network errors with a growing pause."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as error:
            wait = retry_after(error)
            if attempt == ATTEMPTS or wait > LONGEST_WAIT:
                raise
            log.info("flood limit: retrying in %.1f s", wait)
            await asyncio.sleep(wait)
        except BadRequest:
            raise
        except NetworkError as error:  # TimedOut included
            if attempt == ATTEMPTS:
                raise
            pause = BACKOFF * 2 ** (attempt - 1)
            log.info("network error (%s): retrying in %.1f s", error, pause)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


def keyboard(outgoing: Outgoing) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a message's buttons (None without buttons)."""
    if not outgoing.buttons:
        return None
    for button in outgoing.rows():
        assert len(button.payload.encode()) <= PAYLOAD_BYTES, f"payload too long: {button}"
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(button.label, callback_data=button.payload) for button in row]
            for row in outgoing.buttons
        ]
    )


# -- updates into the neutral model -----------------------------------------------------------


def to_incoming(update: Update, bot_username: str | None) -> Incoming | None:
    """The neutral form of an update, or None for what the bot does not answer."""
    query = update.callback_query
    if query is not None:
        if query.message is None or query.data is None:
            return None
        return _incoming(
            update,
            query.message.chat.type,
            query.message.chat.id,
            query.message.chat.title,
            query.from_user,
            bot_username,
            kind=IncomingKind.BUTTON,
            payload=query.data,
            callback_id=query.id,
            message_id=str(query.message.message_id),
        )
    if update.edited_message is not None:
        message, kind = update.edited_message, IncomingKind.EDITED
    elif update.message is not None:
        message, kind = update.message, IncomingKind.TEXT
        if message.text is None:
            if message.effective_attachment is None:
                return None  # a service message: someone joined, the title changed...
            kind = IncomingKind.UNSUPPORTED
    else:
        return None  # my_chat_member, chat_member, channel posts...
    if message.from_user is None:
        return None
    return _incoming(
        update,
        message.chat.type,
        message.chat.id,
        message.chat.title,
        message.from_user,
        bot_username,
        kind=kind,
        text=message.text or "",
    )


def _incoming(
    update: Update,
    chat_type: str,
    chat_id: int,
    title: str | None,
    user: User,
    bot_username: str | None,
    **fields: Any,
) -> Incoming | None:
    chat_kind = CHAT_KINDS.get(chat_type)
    if chat_kind is None:
        return None  # a channel
    return Incoming(
        platform=PLATFORM,
        update_id=str(update.update_id),
        chat_id=str(chat_id),
        chat_kind=chat_kind,
        sender=Sender(str(user.id), user.full_name, user.language_code),
        chat_title=title or "",
        bot_username=bot_username,
        **fields,
    )


def _bot_joined(update: Update, bot_id: int) -> bool:
    """True for the service message of a group that just added the bot (or was made with it)."""
    message = update.message
    if message is None or CHAT_KINDS.get(message.chat.type) is not ChatKind.GROUP:
        return False
    if message.group_chat_created or message.supergroup_chat_created:
        return True
    return any(member.id == bot_id for member in message.new_chat_members)


def _application(settings: Settings) -> TelegramApp:
    """The PTB Application: Bot API address, rate limits, connection pools, concurrency."""
    assert settings.telegram_token is not None
    base_url = settings.telegram_base_url
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(base_url)
        .request(
            HTTPXRequest(
                connection_pool_size=CONNECTIONS,
                pool_timeout=10.0,
                read_timeout=15.0,
                write_timeout=15.0,
            )
        )
        .get_updates_request(HTTPXRequest(connection_pool_size=2, read_timeout=10.0))
        .rate_limiter(
            # Replies to someone typing go out at once (a 429 is retried after retry_after);
            # the overall pace of messages the bot sends on its own is kept by the outbox.
            # Groups are held to Telegram's 20 messages a minute here.
            AIORateLimiter(
                overall_max_rate=0,
                overall_time_period=1,
                group_max_rate=20,
                group_time_period=60,
                max_retries=3,
            )
        )
        .concurrent_updates(CONCURRENT_UPDATES)
    )
    if base_url.endswith("/bot"):
        builder = builder.base_file_url(base_url.removesuffix("/bot") + "/file/bot")
    return builder.build()
