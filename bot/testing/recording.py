"""A recording channel for handler tests: people type, the router answers, replies are kept."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bot.app import App
from bot.blocfile import load_bloc_file
from bot.channels.attachments import from_payload
from bot.handlers.model import ChatKind, Incoming, IncomingKind, Outgoing, Sender
from bot.storage.models import OutboxMessage

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tw-thaibinh.yaml"


@dataclass
class Chat:
    """One chat as the recording channel saw it."""

    chat_id: str
    kind: ChatKind
    title: str = ""
    received: list[Outgoing] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [message.text for message in self.received]


class Recording:
    """Drives ``app.router`` as a channel would and records every message it sends."""

    def __init__(
        self,
        app: App,
        platform: str = "telegram",
        bot_username: str = "blocbot_bot",
        *,
        buttons_shown: bool = False,
    ):
        self.app = app
        self.platform = platform
        self.buttons_shown = buttons_shown  # True: choices are buttons, not numbered options
        self.bot_username = bot_username
        self.chats: dict[str, Chat] = {}
        self.notices: list[str] = []
        self._ids = itertools.count(1)
        self.codes: dict[str, str] = {}
        self.group_code = ""

    async def seed(self, path: Path = SAMPLE) -> None:
        """Import a bloc file and learn its invite codes."""
        report = await self.app.blocs.import_bloc(load_bloc_file(path))
        for line in await self.app.invites.invites(report.bloc_code):
            if line.agency_code:
                self.codes[line.agency_code] = line.code
            else:
                self.group_code = line.code

    def person(self, user_id: str, name: str = "", language: str | None = "vi") -> Person:
        return Person(self, Sender(user_id, name or user_id, language))

    def chat(self, chat_id: str, kind: ChatKind = ChatKind.PRIVATE, title: str = "") -> Chat:
        if chat_id not in self.chats:
            self.chats[chat_id] = Chat(chat_id, kind, title)
        return self.chats[chat_id]

    def group(self, chat_id: str = "-100", title: str = "Khối thi đua") -> Chat:
        return self.chat(chat_id, ChatKind.GROUP, title)

    async def deliver(self, incoming: Incoming) -> list[Outgoing]:
        """Hand one update to the router; record and return the replies to its chat."""
        replies = await self.app.router.handle(incoming)
        if replies.notice:
            self.notices.append(replies.notice)
        here = []
        for message in replies.messages:
            target = message.chat_id or incoming.chat_id
            self.chat(target).received.append(message)
            if target == incoming.chat_id:
                here.append(message)
        return here

    def next_id(self) -> str:
        return str(next(self._ids))

    async def flush_outbox(self) -> list[Outgoing]:
        """Deliver every pending outbox message into the recorded chats, as a dispatcher
        would (no limits, no quiet hours, with the files they carry, by ref to the app's file
        store); returns them in order."""
        async with self.app.uow() as uow:
            rows = (
                await uow.session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.status == "pending")
                    .order_by(OutboxMessage.id)
                )
            ).all()
            sent = []
            for row in rows:
                files = from_payload(row.payload or {})
                message = Outgoing(
                    row.text, platform=row.platform, chat_id=row.chat_id, attachments=files
                )
                kind = ChatKind.GROUP if row.chat_kind == "group" else ChatKind.PRIVATE
                self.chat(row.chat_id, kind).received.append(message)
                row.status = "sent"
                sent.append(message)
            await uow.commit()
        return sent


@dataclass
class Person:
    """Someone typing into the recording channel."""

    recording: Recording
    sender: Sender

    @property
    def dm(self) -> Chat:
        return self.recording.chat(self.sender.user_id)

    async def say(self, text: str, chat: Chat | None = None) -> list[Outgoing]:
        return await self._send(IncomingKind.TEXT, chat, text=text)

    async def say_numbered(
        self, text: str, sequence: int, sent_at: datetime | None = None
    ) -> list[Outgoing]:
        """Send with the platform's message number (Telegram numbers both sides in one row)
        and the time the platform gives it (the channel's clock by default)."""
        moment = sent_at or self.recording.app.clock.now()
        return await self._send(
            IncomingKind.TEXT, None, text=text, sequence=sequence, sent_at=moment
        )

    async def reply_to(self, message: Outgoing, text: str) -> list[Outgoing]:
        """Answer one of the bot's messages with the platform's reply-to."""
        payloads = tuple(button.payload for button in message.rows())
        return await self._send(IncomingKind.TEXT, None, text=text, reply_payloads=payloads)

    async def say_text(self, text: str, chat: Chat | None = None) -> str:
        """Send and return the replies' texts joined, for asserting on."""
        return "\n".join(message.text for message in await self.say(text, chat))

    async def press(self, label: str, chat: Chat | None = None) -> list[Outgoing]:
        """Press a button by its label on the last message in the chat that has it."""
        where = chat or self.dm
        for message in reversed(where.received):
            for button in message.rows():
                if button.label == label:
                    return await self._send(IncomingKind.BUTTON, chat, payload=button.payload)
        labels = [b.label for m in where.received[-3:] for b in m.rows()]
        raise AssertionError(f"no button {label!r}; recent buttons: {labels}")

    async def send_payload(self, payload: str, chat: Chat | None = None) -> list[Outgoing]:
        return await self._send(IncomingKind.BUTTON, chat, payload=payload)

    async def send_other(self, kind: IncomingKind, chat: Chat | None = None) -> list[Outgoing]:
        return await self._send(kind, chat)

    async def _send(
        self,
        kind: IncomingKind,
        chat: Chat | None,
        text: str = "",
        payload: str | None = None,
        reply_payloads: tuple[str, ...] = (),
        sequence: int | None = None,
        sent_at: datetime | None = None,
    ) -> list[Outgoing]:
        where = chat or self.dm
        incoming = Incoming(
            platform=self.recording.platform,
            update_id=self.recording.next_id(),
            chat_id=where.chat_id,
            chat_kind=where.kind,
            sender=self.sender,
            kind=kind,
            text=text,
            payload=payload,
            callback_id="cb" if payload else None,
            chat_title=where.title,
            bot_username=self.recording.bot_username,
            reply_payloads=reply_payloads,
            buttons_shown=self.recording.buttons_shown,
            sequence=sequence,
            sent_at=sent_at,
        )
        return await self.recording.deliver(incoming)
