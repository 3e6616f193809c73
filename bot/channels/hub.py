"""The running channels, so a reply meant for another chat or platform finds its way there."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Protocol

from bot.handlers.model import Incoming, Outgoing, Replies
from bot.scheduler.sending import OutboxSender

log = logging.getLogger(__name__)

ReplyPath = Callable[[Outgoing], Awaitable[None]]


class Channel(Protocol):
    """A running channel that can send to any chat of its platform."""

    async def send(self, outgoing: Outgoing) -> None:
        """Send ``outgoing`` to its ``chat_id``."""


class Hub:
    """Running channels by platform.

    It is also the outbox dispatcher's registry of senders: a channel that can deliver outbox
    messages registers itself with ``register_sender`` when it starts.
    """

    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}
        self._senders: dict[str, OutboxSender] = {}

    def register(self, platform: str, channel: Channel) -> None:
        self._channels[platform] = channel

    def unregister(self, platform: str) -> None:
        self._channels.pop(platform, None)

    def register_sender(self, platform: str, sender: OutboxSender) -> None:
        """Let the outbox dispatcher send this platform's messages through ``sender``."""
        self._senders[platform] = sender

    def unregister_sender(self, platform: str) -> None:
        self._senders.pop(platform, None)

    def sender(self, platform: str) -> OutboxSender | None:
        """The platform's sender, or None when no channel of it is running."""
        return self._senders.get(platform)

    def sending_platforms(self) -> Collection[str]:
        """Platforms whose outbox messages can go out now."""
        return tuple(self._senders)

    async def send_replies(self, replies: Replies, incoming: Incoming, reply: ReplyPath) -> None:
        """Send each reply: to the update's chat through ``reply``, else through its channel."""
        for message in replies.messages:
            platform = message.platform or incoming.platform
            if message.chat_id is None or (
                platform == incoming.platform and message.chat_id == incoming.chat_id
            ):
                await reply(message)
                continue
            channel = self._channels.get(platform)
            if channel is None:
                log.warning(
                    "no %s channel is running: message to %s dropped", platform, message.chat_id
                )
                continue
            await channel.send(dataclasses.replace(message, platform=platform))
