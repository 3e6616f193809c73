"""The Bot API methods: what each call checks, records and answers."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web

from bot.testing.zalo_emulator.records import ZaloMessage
from bot.testing.zalo_emulator.updates import WebhookTarget
from bot.testing.zalo_emulator.wire import JSON, Params, ZaloError, bad_request, utf16_units

if TYPE_CHECKING:
    from bot.testing.zalo_emulator.world import World

TEXT_LIMIT = 2000  # UTF-16 units in a text or a caption
BATCH_LIMIT = 100  # updates in one getUpdates answer, when answers are lists
ACTIONS = ("typing", "upload_photo")  # upload_photo is "coming soon" in the docs
NO_RESULT = object()  # answer just {"ok": true}

Handler = Callable[[Params, web.Request], Awaitable[object]]


def _alive(request: web.Request) -> Callable[[], bool]:
    def alive() -> bool:
        transport = request.transport
        return transport is not None and not transport.is_closing()

    return alive


def _checked_text(name: str, value: str | None, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise bad_request(f"{name} is empty")
        return None
    units = utf16_units(value)
    if units > TEXT_LIMIT:
        raise bad_request(
            f"{name} is too long: {units} UTF-16 units, at most {TEXT_LIMIT} are allowed"
        )
    return value


def _is_private_host(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


class ZaloMethods:
    """getMe, getUpdates, the webhook methods and the send methods."""

    def __init__(self, world: World) -> None:
        self.world = world

    def handlers(self) -> dict[str, Handler]:
        """Every method by its exact (case-sensitive) name; testWebhook is left out."""
        return {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendSticker": self.send_sticker,
            "sendChatAction": self.send_chat_action,
            "sendVoice": self.send_voice,
        }

    async def get_me(self, params: Params, request: web.Request) -> object:
        """The bot's account."""
        world = self.world
        return {
            "id": world.bot_id or "",
            "account_name": world.bot_name,
            "account_type": "BASIC",
            "can_join_groups": world.can_join_groups,
        }

    async def get_updates(self, params: Params, request: web.Request) -> object:
        """Wait for updates; one object or a list, as ``updates_shape`` says; 408 for none."""
        world = self.world
        asked = params.get_float("timeout")
        wait = max(0.0, min(30.0 if asked is None else asked, world.longest_poll))
        single = world.updates_shape == "single"
        limit = 1 if single else int(params.get_float("limit") or BATCH_LIMIT)
        batch = await world.feed.take(wait, max(1, min(limit, BATCH_LIMIT)), _alive(request))
        if not batch:
            raise ZaloError(408, "Request timeout")
        return batch[0] if single else batch

    async def set_webhook(self, params: Params, request: web.Request) -> object:
        """Post updates to ``url`` with ``secret_token`` in a header from now on."""
        world = self.world
        url = params.require_str("url")
        parts = urlsplit(url)
        schemes = ("https",) if world.require_https else ("http", "https")
        if parts.scheme not in schemes or not parts.hostname:
            raise bad_request("url must be an HTTPS URL")
        if not world.allow_private_webhook and _is_private_host(parts.hostname):
            raise bad_request("url must be publicly reachable")
        secret = params.get_str("secret_token") or ""
        if not 8 <= len(secret) <= 256:
            raise bad_request("secret_token must be 8 to 256 characters")
        updated_at = world.now_ms()
        world.feed.set_webhook(WebhookTarget(url, secret), updated_at)
        return {"url": url, "updated_at": updated_at}

    async def delete_webhook(self, params: Params, request: web.Request) -> object:
        """Go back to getUpdates."""
        world = self.world
        updated_at = world.now_ms()
        world.feed.set_webhook(None, updated_at)
        if world.delete_webhook_result == "true":
            return True
        return {"url": "", "updated_at": updated_at}

    async def get_webhook_info(self, params: Params, request: web.Request) -> object:
        """The webhook's url and when it last changed; never the secret."""
        feed = self.world.feed
        url = feed.webhook.url if feed.webhook else ""
        return {"url": url, "updated_at": feed.webhook_updated_at}

    async def send_message(self, params: Params, request: web.Request) -> object:
        """A text of 1..2000 UTF-16 units."""
        text = _checked_text("text", params.get_str("text"), required=True)
        return self._record(params, "text", text=text, parse_mode=params.get_str("parse_mode"))

    async def send_photo(self, params: Params, request: web.Request) -> object:
        """A photo by URL, with an optional caption of up to 2000 UTF-16 units."""
        photo = params.require_str("photo")
        if urlsplit(photo).scheme not in ("http", "https"):
            raise bad_request("photo must be a URL")
        caption = _checked_text("caption", params.get_str("caption"), required=False)
        return self._record(params, "photo", text=caption, photo=photo)

    async def send_sticker(self, params: Params, request: web.Request) -> object:
        """A sticker by its id."""
        return self._record(params, "sticker", sticker=params.require_str("sticker"))

    async def send_chat_action(self, params: Params, request: web.Request) -> object:
        """Show "typing" in a chat."""
        action = params.require_str("action")
        if action not in ACTIONS:
            raise bad_request(f"unsupported action {action!r}")
        self._record(params, "action", action=action)
        return True if self.world.chat_action_result == "true" else NO_RESULT

    async def send_voice(self, params: Params, request: web.Request) -> object:
        """A voice note (.aac) by URL; in a group it "succeeds" but is never delivered."""
        voice_url = params.require_str("voice_url")
        return self._record(params, "voice", voice_url=voice_url, private_only=True)

    def _record(
        self,
        params: Params,
        kind: str,
        text: str | None = None,
        photo: str | None = None,
        sticker: str | None = None,
        voice_url: str | None = None,
        action: str | None = None,
        parse_mode: str | None = None,
        private_only: bool = False,
    ) -> JSON:
        world = self.world
        chat = world.target_chat(params.require_str("chat_id"))
        message = ZaloMessage(
            message_id=world.new_message_id(),
            chat_id=chat.id,
            kind=kind,
            text=text,
            photo=photo,
            date=world.now_ms(),
            sticker=sticker,
            voice_url=voice_url,
            action=action,
            parse_mode=parse_mode,
            params=params.as_dict(),
            delivered=not (private_only and chat.is_group),
        )
        world.record_bot_message(chat, message)
        return {"message_id": message.message_id, "date": message.date}
