"""The people on the other side of the bot, and the groups they write in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.testing.zalo_emulator.records import ZaloMessage
from bot.testing.zalo_emulator.wire import JSON, utf16_units

if TYPE_CHECKING:
    from bot.testing.zalo_emulator.world import World

DEFAULT_STICKER = "bfe458bf64fa8da4d4eb"


@dataclass(eq=False)
class ZaloGroup:
    """A Zalo group (nhóm của khối), made by ``zl.group()``."""

    id: str
    name: str

    @property
    def chat_id(self) -> str:
        """Id of the group chat."""
        return self.id


@dataclass(eq=False)
class ZaloUser:
    """A person writing to the bot, made by ``zl.user()``; every message makes an update."""

    world: World = field(repr=False)
    id: str
    name: str

    @property
    def chat_id(self) -> str:
        """Id of this person's private chat with the bot (their user id, as on Zalo)."""
        return self.id

    def to_json(self, name_field: str = "display_name") -> JSON:
        """The ``from`` object of this person's updates."""
        return {"id": self.id, name_field: self.name, "is_bot": False}

    async def send(self, text: str, group: ZaloGroup | None = None) -> ZaloMessage:
        """Type a text (message.text.received); in a group, mention the bot to reach it."""
        if not text or utf16_units(text) > 2000:
            raise ValueError("a Zalo client sends 1..2000 characters of text")
        return self.world.publish(self, group, "text", "message.text.received", {"text": text})

    async def send_image(
        self, url: str, caption: str | None = None, group: ZaloGroup | None = None
    ) -> ZaloMessage:
        """Send a photo by its URL (message.image.received), with an optional caption."""
        fields: JSON = {self.world.photo_field: url}
        if caption is not None:
            fields["caption"] = caption
        return self.world.publish(
            self, group, "image", "message.image.received", fields, text=caption, photo=url
        )

    async def send_sticker(
        self,
        sticker: str = DEFAULT_STICKER,
        url: str | None = None,
        group: ZaloGroup | None = None,
    ) -> ZaloMessage:
        """Send a sticker (message.sticker.received: ``sticker`` and ``url``)."""
        fields: JSON = {
            "sticker": sticker,
            "url": url or f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker}",
        }
        return self.world.publish(self, group, "sticker", "message.sticker.received", fields)

    async def send_voice(self, url: str, group: ZaloGroup | None = None) -> ZaloMessage:
        """Send a voice note (message.voice.received: ``voice_url``, an .aac)."""
        fields: JSON = {"voice_url": url}
        return self.world.publish(self, group, "voice", "message.voice.received", fields)

    async def send_unsupported(self, group: ZaloGroup | None = None) -> ZaloMessage:
        """A message whose content Zalo strips (a protected sender): message.unsupported."""
        return self.world.publish(self, group, "unsupported", "message.unsupported.received", {})

    async def send_link(
        self, url: str, text: str | None = None, group: ZaloGroup | None = None
    ) -> ZaloMessage:
        """A shared link (message.link.received): undocumented, seen only in OpenClaw's tests;
        its fields here (``url``, ``text``) are a guess."""
        fields: JSON = {"url": url}
        if text is not None:
            fields["text"] = text
        return self.world.publish(self, group, "link", "message.link.received", fields, text=text)

    async def send_event(
        self, event_name: str, fields: JSON, group: ZaloGroup | None = None
    ) -> ZaloMessage:
        """Any event, with these fields added to the message object as given."""
        text = fields.get("text") if isinstance(fields.get("text"), str) else None
        kind = event_name.removeprefix("message.").removesuffix(".received")
        return self.world.publish(self, group, kind, event_name, dict(fields), text=text)
