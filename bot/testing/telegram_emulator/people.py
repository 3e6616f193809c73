"""The people on the other side of the bot: users who type and press, and the groups they're in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.testing.telegram_emulator.formatting import message_entities
from bot.testing.telegram_emulator.records import CallbackPress, ChatMessage
from bot.testing.telegram_emulator.wire import JSON

if TYPE_CHECKING:
    from bot.testing.telegram_emulator.world import World

# A tiny but real PNG (1x1, white), what a person "photographs" by default.
_PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63f8ffff3f0005fe02fea7d6a4bb0000000049454e44ae426082"
)


@dataclass(eq=False)
class FakeGroup:
    """A group or supergroup the bot is in (nhóm của khối), made by ``tg.group()``."""

    id: int
    title: str
    type: str

    @property
    def chat_id(self) -> int:
        """Id of the group chat."""
        return self.id


@dataclass(eq=False)
class FakeUser:
    """A person writing to the bot, made by ``tg.user()``; every action makes an update."""

    world: World = field(repr=False)
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "vi"

    @property
    def chat_id(self) -> int:
        """Id of this person's private chat with the bot (the user id, as on Telegram)."""
        return self.id

    @property
    def full_name(self) -> str:
        """First and last name."""
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def to_json(self) -> JSON:
        """The User object of this person."""
        body: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            body["last_name"] = self.last_name
        if self.username:
            body["username"] = self.username
        if self.language_code:
            body["language_code"] = self.language_code
        return body

    async def send(
        self, text: str, chat: FakeGroup | int | None = None, reply_to: ChatMessage | None = None
    ) -> ChatMessage:
        """Type a text, in the private chat with the bot or in a group; "/x" is a command."""
        if not text.strip() or len(text) > 4096:
            raise ValueError("a Telegram client sends 1..4096 characters of text")
        return self.world.add_message(
            self.world.chat_of(self, chat), self, "text", text=text, reply_to=reply_to
        )

    async def edit(self, message: ChatMessage, new_text: str) -> ChatMessage:
        """Edit one of this person's own texts (the bot gets an edited_message update)."""
        if message.from_bot or message.sender.get("id") != self.id:
            raise AssertionError(f"{self.first_name} can only edit their own messages")
        world, chat = self.world, message.chat
        message.text = new_text
        message.entities = message_entities(new_text)
        message.edit_date = world.now()
        message.edit_count += 1
        chat.log.append(f"{self.first_name} edited #{message.message_id}: {new_text}")
        chat.cursor = len(chat.bot_messages)
        if message.seen_by_bot:
            world.feed.publish("edited_message", message.to_json())
        world.changed(chat)
        return message

    async def press(
        self,
        label: str,
        message: ChatMessage | None = None,
        chat: FakeGroup | int | None = None,
    ) -> str:
        """Press the inline button with this label; return the callback query id.

        By default the button is looked for in the last bot message in the chat that has an
        inline keyboard (the private chat, or ``chat``).
        """
        world = self.world
        if message is None:
            where = world.chat_of(self, chat)
            message = next(
                (
                    m
                    for m in reversed(where.bot_messages)
                    if m.has_inline_keyboard and not m.deleted
                ),
                None,
            )
            if message is None:
                raise AssertionError(
                    f"no bot message with inline buttons in chat {where.id}; transcript:\n"
                    f"{world.transcript(where.id, 20)}"
                )
        button = message.button(label) if message.has_inline_keyboard else None
        if button is None or message.deleted:
            raise AssertionError(
                f"no inline button {label!r} on message #{message.message_id}; "
                f"its buttons: {message.labels}"
            )
        if "callback_data" not in button:
            raise AssertionError(f"button {label!r} has no callback_data: {button}")
        press = CallbackPress(
            world.new_query_id(), self.id, label, button["callback_data"], message
        )
        world.presses[press.id] = press
        state = message.chat
        state.cursor = len(state.bot_messages)
        state.log.append(f"{self.first_name} pressed [{label}] on #{message.message_id}")
        press.update_id = world.feed.publish(
            "callback_query",
            {
                "id": press.id,
                "from": self.to_json(),
                "message": message.to_json(),
                "chat_instance": str(state.id * 7 + 3),
                "data": press.data,
            },
        )
        world.changed(state)
        return press.id

    async def send_photo(
        self,
        caption: str | None = None,
        content: bytes = _PIXEL_PNG,
        width: int = 1280,
        height: int = 960,
        chat: FakeGroup | int | None = None,
    ) -> ChatMessage:
        """Send a photo (a real 1x1 PNG unless ``content`` is given)."""
        stored = self.world.store_file(
            "photo", content=content, mime_type="image/jpeg", width=width, height=height
        )
        where = self.world.chat_of(self, chat)
        return self.world.add_message(where, self, "photo", caption=caption, file=stored)

    async def send_document(
        self,
        file_name: str,
        content: bytes,
        caption: str | None = None,
        mime_type: str = "application/octet-stream",
        chat: FakeGroup | int | None = None,
    ) -> ChatMessage:
        """Send a file (an .xlsx, a .pdf...)."""
        stored = self.world.store_file(
            "document", content=content, file_name=file_name, mime_type=mime_type
        )
        where = self.world.chat_of(self, chat)
        return self.world.add_message(where, self, "document", caption=caption, file=stored)

    async def send_sticker(
        self, emoji: str = "👍", chat: FakeGroup | int | None = None
    ) -> ChatMessage:
        """Send a sticker, which has no text at all."""
        extra = {"emoji": emoji, "is_animated": False, "is_video": False, "type": "regular"}
        stored = self.world.store_file(
            "sticker", content=b"RIFF", width=512, height=512, extra=extra
        )
        return self.world.add_message(self.world.chat_of(self, chat), self, "sticker", file=stored)
