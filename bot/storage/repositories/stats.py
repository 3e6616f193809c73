"""Counts for the health report and the metrics: outbox backlog, failures, open dialogs."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.storage.models import ConversationState, InboxUpdate, OutboxMessage

WAITING = ("pending", "sending")  # outbox statuses of messages that have not gone out yet
NO_DIALOG = ""  # the state stored for a (platform, chat, user) whose dialog ended


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ping(self) -> None:
        """Reach the database (``SELECT 1``); raises when it cannot."""
        await self.session.execute(text("SELECT 1"))

    async def outbox_depth(self) -> dict[str, int]:
        """Messages waiting to go out by platform: pending (due or not) and claimed."""
        return await self._outbox_by_platform(OutboxMessage.status.in_(WAITING))

    async def outbox_failed(self) -> dict[str, int]:
        """Messages given up by platform."""
        return await self._outbox_by_platform(OutboxMessage.status == "failed")

    async def conversations_open(self) -> int:
        """Conversations with a dialog in progress."""
        query = (
            select(func.count())
            .select_from(ConversationState)
            .where(ConversationState.state != NO_DIALOG)
        )
        return int((await self.session.execute(query)).scalar_one())

    async def inbox_depth(self) -> dict[str, int]:
        """Updates received by webhook and not answered yet, by platform (any replica's)."""
        return await self._by_platform(InboxUpdate.platform, InboxUpdate.done_at.is_(None))

    async def _outbox_by_platform(self, condition: ColumnElement[bool]) -> dict[str, int]:
        return await self._by_platform(OutboxMessage.platform, condition)

    async def _by_platform(
        self, platform: InstrumentedAttribute[str], condition: ColumnElement[bool]
    ) -> dict[str, int]:
        """How many rows meet ``condition``, by the platform in the column ``platform``."""
        query = (
            select(platform, func.count()).where(condition).group_by(platform).order_by(platform)
        )
        result = await self.session.execute(query)
        return {name: int(count) for name, count in result}
