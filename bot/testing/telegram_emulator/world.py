"""The emulated Telegram seen from the test: people, groups, chats, and waiting for the bot."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterable
from typing import TypeAlias

from bot.testing.telegram_emulator.formatting import message_entities
from bot.testing.telegram_emulator.people import FakeGroup, FakeUser
from bot.testing.telegram_emulator.records import (
    CallbackPress,
    ChatMessage,
    ChatState,
    EmulatorStats,
    StoredFile,
)
from bot.testing.telegram_emulator.updates import UpdateFeed
from bot.testing.telegram_emulator.wire import JSON
from bot.testing.waiting import unseen, wait_event

ChatRef: TypeAlias = "FakeUser | FakeGroup | ChatState | int"
Predicate: TypeAlias = "Callable[[ChatMessage], bool]"


def chat_id_of(ref: ChatRef) -> int:
    """The chat id behind a user (their private chat), a group, or a plain id."""
    return ref if isinstance(ref, int) else ref.id


class World:
    """Everything the emulator knows, and the helpers a test uses to act as people."""

    def __init__(
        self,
        bot_username: str = "blocbot_test_bot",
        bot_first_name: str = "Blocbot",
        bot_id: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.bot_id = bot_id
        self._clock = clock
        self.stats = EmulatorStats()
        self.feed = UpdateFeed(self.stats)
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.blocked: set[int] = set()
        self.files: dict[str, StoredFile] = {}
        self.file_paths: dict[str, StoredFile] = {}
        self.presses: dict[str, CallbackPress] = {}
        self.answered_callbacks: list[CallbackPress] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.settings: dict[str, JSON] = {}
        self._changed = asyncio.Event()
        self._file_numbers = itertools.count(1)
        self._query_numbers = itertools.count(4_611_686_018_427_387_904)

    # -- people and groups -------------------------------------------------------------------

    def user(
        self,
        id: int,
        first_name: str | None = None,
        language_code: str | None = "vi",
        username: str | None = None,
        last_name: str | None = None,
    ) -> FakeUser:
        """A person (the same object again for the same id)."""
        known = self.users.get(id)
        if known is not None:
            return known
        person = FakeUser(self, id, first_name or f"User{id}", last_name, username, language_code)
        self.users[id] = person
        return person

    def group(
        self,
        id: int,
        title: str,
        admins: Iterable[FakeUser | int] = (),
        creator: FakeUser | int | None = None,
        members: Iterable[FakeUser | int] = (),
        type: str | None = None,
        privacy: bool = True,
        bot_is_admin: bool = False,
    ) -> FakeGroup:
        """A group the bot is already in; ids from -100... are supergroups.

        ``privacy`` is the bot's privacy mode (on by default, as on Telegram): the bot then only
        gets commands, replies to its own messages, mentions of it, and service messages.
        """
        if id >= 0:
            raise ValueError("group ids are negative, e.g. -100123 for a supergroup")
        kind = type or ("supergroup" if str(id).startswith("-100") else "group")
        admin_ids = {chat_id_of(a) for a in admins}
        creator_id = None if creator is None else chat_id_of(creator)
        state = ChatState(
            id=id,
            type=kind,
            info={"id": id, "type": kind, "title": title},
            members={chat_id_of(m) for m in members} | admin_ids,
            admins=admin_ids,
            creator=creator_id,
            bot_is_admin=bot_is_admin,
            privacy=privacy,
        )
        if creator_id is not None:
            state.members.add(creator_id)
        self.chats[id] = state
        return FakeGroup(id, title, kind)

    async def add_to_group(
        self, group: FakeGroup | int, user: FakeUser, announce: bool = True
    ) -> None:
        """Make a person a member; with ``announce`` the bot gets the new_chat_members message."""
        chat = self._chat_or_fail(group)
        chat.members.add(user.id)
        if announce:
            self.add_message(chat, user, "service", extra={"new_chat_members": [user.to_json()]})

    def block(self, user: FakeUser | int) -> None:
        """The person blocks the bot: sends to them answer 403 until they write again."""
        self.blocked.add(chat_id_of(user))

    def unblock(self, user: FakeUser | int) -> None:
        """The person unblocks the bot."""
        self.blocked.discard(chat_id_of(user))

    # -- what the bot said -------------------------------------------------------------------

    def messages(self, chat: ChatRef) -> list[ChatMessage]:
        """The bot's messages in a chat, oldest first (deleted ones too, flagged)."""
        state = self.chats.get(chat_id_of(chat))
        return list(state.bot_messages) if state else []

    def last(self, chat: ChatRef) -> ChatMessage | None:
        """The bot's latest message in a chat."""
        state = self.chats.get(chat_id_of(chat))
        return state.bot_messages[-1] if state and state.bot_messages else None

    def transcript(self, chat: ChatRef, last: int = 40) -> str:
        """The end of the conversation in a chat, both sides, one event a line."""
        state = self.chats.get(chat_id_of(chat))
        if state is None:
            return f"(no chat {chat_id_of(chat)})"
        lines = state.log[-last:]
        return "\n".join(lines) if lines else "(nothing said yet)"

    def mark(self, chat: ChatRef) -> None:
        """From now on, wait_for only counts bot messages sent after this point.

        Every action of a person in a chat sets this mark too.
        """
        state = self.chats.get(chat_id_of(chat))
        if state is not None:
            state.cursor = len(state.bot_messages)

    async def wait_for(
        self,
        chat: ChatRef,
        predicate: Predicate | None = None,
        timeout: float = 5.0,
        count: int = 1,
    ) -> list[ChatMessage]:
        """Wait until the bot sent ``count`` new messages (matching ``predicate``) to a chat.

        New means after the mark: the last action of a person in the chat, ``mark()``, or the
        messages an earlier wait_for returned. Raises TimeoutError with the transcript.
        """
        chat_id = chat_id_of(chat)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            state = self.chats.get(chat_id)
            changed = state.changed if state else self._changed
            if state is not None:
                found = self._matching(state, predicate, count)
                if found is not None:
                    return found
            remaining = deadline - loop.time()
            if remaining <= 0 or not await wait_event(changed, remaining):
                got = 0 if state is None else len(self._matching(state, predicate, None) or [])
                raise TimeoutError(
                    f"the bot sent {got} of {count} expected message(s) to chat {chat_id} "
                    f"within {timeout}s; transcript:\n{self.transcript(chat_id, 20)}"
                )

    @staticmethod
    def _matching(
        state: ChatState, predicate: Predicate | None, count: int | None
    ) -> list[ChatMessage] | None:
        seen = unseen(
            state.bot_messages, state.cursor, predicate or (lambda _message: True), count
        )
        if seen is None:
            return None
        found, state.cursor = seen
        return found

    async def wait_reply(
        self,
        chat: ChatRef,
        predicate: Predicate | None = None,
        timeout: float = 5.0,
    ) -> ChatMessage:
        """Wait for the bot's next message in a chat (see wait_for) and return it."""
        (message,) = await self.wait_for(chat, predicate, timeout)
        return message

    async def wait_until(
        self,
        condition: Callable[[], object],
        timeout: float = 5.0,
        chat: ChatRef | None = None,
    ) -> None:
        """Wait until ``condition()`` is true, re-checking whenever the bot changes something.

        Handy for edits and callback answers: ``await tg.wait_until(lambda: msg.edited)``.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0 or not await wait_event(self._changed, remaining):
                where = f"; transcript:\n{self.transcript(chat, 20)}" if chat is not None else ""
                raise TimeoutError(f"condition still false after {timeout}s{where}")

    @property
    def update_count(self) -> int:
        """How many updates were created so far (redeliveries not counted)."""
        return self.stats.updates

    async def redeliver(self, update_id: int) -> None:
        """Deliver an update again, same update_id, to test duplicate handling."""
        self.feed.redeliver(update_id)

    def new_query_id(self) -> str:
        """A fresh callback query id."""
        return str(next(self._query_numbers))

    def callback(self, query_id: str) -> CallbackPress:
        """A button press by its callback query id, with the bot's answer once given."""
        return self.presses[query_id]

    # -- shared by people and the Bot API ----------------------------------------------------

    def now(self) -> int:
        """Unix time for message dates."""
        return int(self._clock())

    @property
    def bot_user(self) -> JSON:
        """The User object of the bot."""
        return {
            "id": self.bot_id or 0,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def changed(self, chat: ChatState | None) -> None:
        """Wake waiters after the chat (or anything) changed."""
        if chat is not None:
            chat.touch()
        self._changed.set()
        self._changed = asyncio.Event()

    def store_file(
        self,
        kind: str,
        content: bytes | None = None,
        url: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int = 0,
        height: int = 0,
        extra: JSON | None = None,
    ) -> StoredFile:
        """Remember a file and give it a file_id the bot can use again."""
        number = next(self._file_numbers)
        extension = (file_name or "").rpartition(".")[2] if file_name and "." in file_name else ""
        stored = StoredFile(
            file_id=f"{kind.upper()}-{number:06d}-emulated",
            file_unique_id=f"u{number:06d}",
            kind=kind,
            size=len(content) if content is not None else 0,
            file_name=file_name,
            mime_type=mime_type,
            content=content,
            url=url,
            width=width,
            height=height,
            file_path=f"{kind}s/file_{number}" + (f".{extension}" if extension else ""),
            extra=extra or {},
        )
        self.files[stored.file_id] = stored
        self.file_paths[stored.file_path] = stored
        return stored

    def _chat_or_fail(self, ref: ChatRef) -> ChatState:
        state = self.chats.get(chat_id_of(ref))
        if state is None:
            raise AssertionError(f"no chat {chat_id_of(ref)}: make groups with tg.group()")
        return state

    def _private_chat(self, user: FakeUser) -> ChatState:
        state = self.chats.get(user.id)
        if state is None:
            info: JSON = {"id": user.id, "type": "private", "first_name": user.first_name}
            if user.last_name:
                info["last_name"] = user.last_name
            if user.username:
                info["username"] = user.username
            state = self.chats[user.id] = ChatState(id=user.id, type="private", info=info)
            state.members.add(user.id)
        return state

    def chat_of(self, user: FakeUser, chat: FakeGroup | int | None) -> ChatState:
        """Where a person writes: their private chat (None) or a group they are in."""
        if chat is None or chat_id_of(chat) == user.id:
            self.blocked.discard(user.id)  # writing to the bot again unblocks it
            return self._private_chat(user)
        state = self._chat_or_fail(chat)
        if user.id not in state.members:
            raise AssertionError(
                f"{user.first_name} ({user.id}) is not in {state.info.get('title')}: "
                "await tg.add_to_group(group, user) first"
            )
        return state

    def add_message(
        self,
        chat: ChatState,
        user: FakeUser,
        kind: str,
        text: str | None = None,
        caption: str | None = None,
        file: StoredFile | None = None,
        reply_to: ChatMessage | None = None,
        extra: JSON | None = None,
    ) -> ChatMessage:
        """A person's message in a chat, and the update the bot gets for it (if it sees it)."""
        message = ChatMessage(
            chat=chat,
            message_id=chat.next_message_id(),
            date=self.now(),
            sender=user.to_json(),
            from_bot=False,
            kind=kind,
            text=text,
            caption=caption,
            entities=message_entities(text or caption or ""),
            reply_to=reply_to,
            file=file,
            extra=extra or {},
        )
        message.seen_by_bot = self._bot_sees(chat, message)
        chat.by_id[message.message_id] = message
        chat.cursor = len(chat.bot_messages)
        unseen = "" if message.seen_by_bot else "  (privacy mode: not delivered to the bot)"
        chat.log.append(f"{user.first_name}: {message.describe()}{unseen}")
        if message.seen_by_bot:
            message.update_id = self.feed.publish("message", message.to_json())
        self.changed(chat)
        return message

    def _bot_sees(self, chat: ChatState, message: ChatMessage) -> bool:
        if not chat.is_group or not chat.privacy or message.kind == "service":
            return True
        if message.reply_to is not None and message.reply_to.from_bot:
            return True
        content = message.content
        for entity in message.entities:
            if entity["type"] == "bot_command" and entity["offset"] == 0:
                _, at, addressee = content.split()[0].partition("@")
                return not at or addressee.lower() == self.bot_username.lower()
            if entity["type"] == "mention" and f"@{self.bot_username}".lower() in content.lower():
                return True
        return False
