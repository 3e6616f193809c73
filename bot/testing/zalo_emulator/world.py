"""The emulated Zalo seen from the test: people, groups, chats, and waiting for the bot."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Literal, TypeAlias

from bot.testing.waiting import unseen, wait_event
from bot.testing.zalo_emulator.people import ZaloGroup, ZaloUser
from bot.testing.zalo_emulator.records import ChatState, JoinRefused, ZaloMessage, ZaloStats
from bot.testing.zalo_emulator.updates import UpdateFeed
from bot.testing.zalo_emulator.wire import JSON, ZaloError, bad_request

ChatRef: TypeAlias = "ZaloUser | ZaloGroup | ChatState | str"
Predicate: TypeAlias = "Callable[[ZaloMessage], bool]"
Listener: TypeAlias = "Callable[[ZaloMessage, ChatState], None]"


def chat_id_of(ref: ChatRef) -> str:
    """The chat id behind a user (their private chat), a group, or a plain id."""
    return ref if isinstance(ref, str) else ref.id


class World:
    """Everything the emulator knows, the switches that pick between the sources, and the
    helpers a test uses to act as people."""

    def __init__(
        self,
        bot_name: str = "Bot Khối thi đua",
        can_join_groups: bool = True,
        bot_id: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_name = bot_name
        self.can_join_groups = can_join_groups
        self.bot_id = bot_id
        self._clock = clock
        # Where the sources disagree: each choice is playable (see zalo.md).
        self.errors_as: Literal["status", "http200"] = "status"
        self.updates_shape: Literal["single", "list"] = "single"
        self.longest_poll: float = 30.0  # seconds a getUpdates may wait at most
        self.photo_field: Literal["photo", "photo_url", "url"] = "photo"
        self.name_field: Literal["display_name", "first_name", "name"] = "display_name"
        self.date_unit: Literal["ms", "s"] = "ms"  # of update dates
        self.with_event_name = True  # False: the 10/12/2025 sample, without event_name
        self.group_filter: Literal["mention", "all"] = "mention"
        self.webhook_body: Literal["wrapped", "bare"] = "wrapped"
        self.webhook_retries = 3
        self.webhook_pause = 0.2
        self.webhook_timeout = 5.0
        self.require_https = False  # True: refuse http:// webhooks as the real service does
        self.allow_private_webhook = True  # False: refuse localhost and private addresses
        self.delete_webhook_result: Literal["object", "true"] = "object"
        self.chat_action_result: Literal["true", "none"] = "true"  # "none": just {ok: true}
        self.dm_requires_contact = False  # True: the bot can only DM people who wrote to it
        self.stats = ZaloStats()
        self.feed = UpdateFeed(self)
        self.users: dict[str, ZaloUser] = {}
        self.chats: dict[str, ChatState] = {}
        self.listeners: list[Listener] = []
        self._changed = asyncio.Event()

    # -- people and groups -------------------------------------------------------------------

    def user(self, id: str | None = None, name: str | None = None) -> ZaloUser:
        """A person (the same object again for the same id, or for the same name without id).

        Without an id one is made from the name: 20 hex digits, opaque like Zalo's.
        """
        if id is None:
            if name is None:
                raise ValueError("give a person an id, a name, or both")
            for person in self.users.values():
                if person.name == name:
                    return person
            id = hashlib.sha1(f"zalo-user:{name}".encode()).hexdigest()[:20]
        known = self.users.get(id)
        if known is not None:
            return known
        person = ZaloUser(self, id, name or f"Người dùng {id[:6]}")
        self.users[id] = person
        return person

    def group(
        self, id: str, name: str, members: Iterable[ZaloUser | str] = (), bot: bool = False
    ) -> ZaloGroup:
        """A group of people; the bot is not in it until ``add_bot`` (or ``bot=True``)."""
        state = self.chats.get(id)
        if state is None:
            state = self.chats[id] = ChatState(id=id, chat_type="GROUP", name=name)
            state.bot_present = False
        state.members.update(chat_id_of(member) for member in members)
        found = ZaloGroup(id, name)
        if bot:
            self.add_bot(found)
        return found

    def add_member(self, group: ZaloGroup | str, *people: ZaloUser | str) -> None:
        """Make people members of a group."""
        self._group_state(group).members.update(chat_id_of(person) for person in people)

    def add_bot(self, group: ZaloGroup | str) -> None:
        """Add the bot to a group; refused (JoinRefused) while ``can_join_groups`` is false."""
        state = self._group_state(group)
        if not self.can_join_groups:
            raise JoinRefused(
                f"the bot cannot be added to {state.name}: can_join_groups is false "
                "(as for Marketplace bots)"
            )
        state.bot_present = True
        state.log.append("(the bot was added to the group)")
        self.changed(state)

    def remove_bot(self, group: ZaloGroup | str) -> None:
        """Take the bot out of a group."""
        state = self._group_state(group)
        state.bot_present = False
        state.log.append("(the bot was removed from the group)")
        self.changed(state)

    def inject(self, update: JSON) -> None:
        """Queue (or post) a raw update exactly as given: a malformed or unknown one, say."""
        self.feed.publish(update)

    # -- what the bot said -------------------------------------------------------------------

    def chat(self, ref: ChatRef) -> ChatState | None:
        """The chat behind a person, a group or an id, if anything happened in it."""
        return self.chats.get(chat_id_of(ref))

    def messages(self, chat: ChatRef, actions: bool = False) -> list[ZaloMessage]:
        """What the bot sent to a chat, oldest first (chat actions only with ``actions``)."""
        state = self.chat(chat)
        if state is None:
            return []
        return [m for m in state.bot_messages if actions or m.kind != "action"]

    def said(self, chat: ChatRef) -> list[ZaloMessage]:
        """What people wrote in a chat, delivered to the bot or not."""
        state = self.chat(chat)
        return list(state.said) if state else []

    def last(self, chat: ChatRef) -> ZaloMessage | None:
        """The bot's latest message in a chat (not counting chat actions)."""
        sent = self.messages(chat)
        return sent[-1] if sent else None

    def transcript(self, chat: ChatRef, last: int = 40) -> str:
        """The end of the conversation in a chat, both sides, one event a line."""
        state = self.chat(chat)
        if state is None:
            return f"(no chat {chat_id_of(chat)})"
        lines = state.log[-last:]
        return "\n".join(lines) if lines else "(nothing said yet)"

    def mark(self, chat: ChatRef) -> None:
        """From now on, wait_for only counts bot messages sent after this point.

        Every message of a person in the chat sets this mark too.
        """
        state = self.chat(chat)
        if state is not None:
            state.cursor = len(state.bot_messages)

    async def wait_for(
        self,
        chat: ChatRef,
        predicate: Predicate | None = None,
        timeout: float = 5.0,
        count: int = 1,
        actions: bool = False,
    ) -> list[ZaloMessage]:
        """Wait until the bot sent ``count`` new messages (matching ``predicate``) to a chat.

        New means after the mark: the last message of a person in the chat, ``mark()``, or the
        messages an earlier wait_for returned. Raises TimeoutError with the transcript.
        """
        chat_id = chat_id_of(chat)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            state = self.chats.get(chat_id)
            changed = state.changed if state else self._changed
            if state is not None:
                found = self._matching(state, predicate, count, actions)
                if found is not None:
                    return found
            remaining = deadline - loop.time()
            if remaining <= 0 or not await wait_event(changed, remaining):
                got = 0
                if state is not None:
                    got = len(self._matching(state, predicate, None, actions) or [])
                raise TimeoutError(
                    f"the bot sent {got} of {count} expected message(s) to chat {chat_id} "
                    f"within {timeout}s; transcript:\n{self.transcript(chat_id, 20)}"
                )

    @staticmethod
    def _matching(
        state: ChatState, predicate: Predicate | None, count: int | None, actions: bool
    ) -> list[ZaloMessage] | None:
        def keep(message: ZaloMessage) -> bool:
            if message.kind == "action" and not actions:
                return False
            return predicate is None or predicate(message)

        seen = unseen(state.bot_messages, state.cursor, keep, count)
        if seen is None:
            return None
        found, state.cursor = seen
        return found

    async def wait_reply(
        self, chat: ChatRef, predicate: Predicate | None = None, timeout: float = 5.0
    ) -> ZaloMessage:
        """Wait for the bot's next message in a chat (see wait_for) and return it."""
        (message,) = await self.wait_for(chat, predicate, timeout)
        return message

    async def wait_until(self, condition: Callable[[], object], timeout: float = 5.0) -> None:
        """Wait until ``condition()`` is true, re-checking whenever anything changes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0 or not await wait_event(self._changed, remaining):
                raise TimeoutError(f"condition still false after {timeout}s")

    # -- shared by people and the Bot API ----------------------------------------------------

    def now_ms(self) -> int:
        """The time in milliseconds, as Zalo dates are."""
        return int(self._clock() * 1000)

    @staticmethod
    def new_message_id() -> str:
        """A fresh opaque message id: 20 hex digits."""
        return secrets.token_hex(10)

    def changed(self, chat: ChatState | None) -> None:
        """Wake waiters after the chat (or anything) changed."""
        if chat is not None:
            chat.touch()
        self._changed.set()
        self._changed = asyncio.Event()

    def publish(
        self,
        user: ZaloUser,
        group: ZaloGroup | None,
        kind: str,
        event_name: str,
        fields: JSON,
        text: str | None = None,
        photo: str | None = None,
    ) -> ZaloMessage:
        """A person's message in a chat, and the update the bot gets for it (if it sees it)."""
        chat = self._chat_of(user, group)
        if text is None and kind == "text":
            text = fields.get("text")
        message = ZaloMessage(
            message_id=self.new_message_id(),
            chat_id=chat.id,
            kind=kind,
            text=text,
            photo=photo,
            date=self.now_ms(),
            from_bot=False,
            sender_id=user.id,
            sticker=fields.get("sticker"),
            voice_url=fields.get("voice_url"),
            event_name=event_name,
        )
        unseen = self._unseen_because(chat, message)
        message.delivered = unseen is None
        chat.said.append(message)
        chat.cursor = len(chat.bot_messages)
        chat.contacted = chat.contacted or not chat.is_group
        chat.log.append(f"{user.name}: {message.describe()}" + (f"  ({unseen})" if unseen else ""))
        if unseen is None:
            self.feed.publish(self._update(user, chat, event_name, fields, message))
        self.changed(chat)
        return message

    def _update(
        self, user: ZaloUser, chat: ChatState, event_name: str, fields: JSON, sent: ZaloMessage
    ) -> JSON:
        date = sent.date if self.date_unit == "ms" else sent.date // 1000
        body: JSON = {
            "from": user.to_json(self.name_field),
            "chat": {"id": chat.id, "chat_type": chat.chat_type},
            **fields,
            "message_id": sent.message_id,
            "date": date,
        }
        if self.with_event_name:
            return {"event_name": event_name, "message": body}
        return {"message": body}

    def _unseen_because(self, chat: ChatState, message: ZaloMessage) -> str | None:
        if not chat.is_group:
            return None
        if not chat.bot_present:
            return "the bot is not in this group: not delivered"
        if self.group_filter == "all":
            return None
        if f"@{self.bot_name}".casefold() in message.content.casefold():
            return None
        return "no @mention of the bot: not delivered"

    def target_chat(self, chat_id: str) -> ChatState:
        """The chat a bot call names, or the error Zalo would give for it."""
        state = self.chats.get(chat_id)
        if state is None and chat_id in self.users:
            state = self._private_chat(self.users[chat_id])
        if state is None:
            raise bad_request("chat not found")
        if state.is_group and not state.bot_present:
            raise ZaloError(403, "Forbidden: the bot is not a member of this group")
        if not state.is_group and self.dm_requires_contact and not state.contacted:
            raise ZaloError(403, "Forbidden: the user has not messaged the bot yet")
        return state

    def record_bot_message(self, chat: ChatState, message: ZaloMessage) -> None:
        """Remember what the bot sent, wake waiters and tell the listeners."""
        if message.delivered:
            chat.bot_messages.append(message)
            chat.log.append(f"bot: {message.describe()}")
        else:
            chat.undelivered.append(message)
            chat.log.append(f"bot: {message.describe()}  (answered ok, never delivered)")
        self.changed(chat)
        for listener in self.listeners:
            listener(message, chat)

    def _group_state(self, group: ZaloGroup | str) -> ChatState:
        state = self.chats.get(chat_id_of(group))
        if state is None or not state.is_group:
            raise AssertionError(f"no group {chat_id_of(group)}: make groups with zl.group()")
        return state

    def _private_chat(self, user: ZaloUser) -> ChatState:
        state = self.chats.get(user.id)
        if state is None:
            state = ChatState(id=user.id, chat_type="PRIVATE", name=user.name)
            state.members.add(user.id)
            self.chats[user.id] = state
        return state

    def _chat_of(self, user: ZaloUser, group: ZaloGroup | None) -> ChatState:
        if group is None:
            return self._private_chat(user)
        state = self._group_state(group)
        if user.id not in state.members:
            raise AssertionError(
                f"{user.name} ({user.id}) is not in {state.name}: zl.add_member(group, user) first"
            )
        return state
