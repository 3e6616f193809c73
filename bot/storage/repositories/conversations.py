"""Conversation state and the log of processed updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import insert_or_ignore, upsert
from bot.storage.models import ConversationState, ProcessedUpdate


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_update(self, platform: str, update_id: str, now: datetime) -> bool:
        """Record an update as processed; False when it already was (a second delivery)."""
        statement = insert_or_ignore(
            self.session, ProcessedUpdate, platform=platform, update_id=update_id, processed_at=now
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def forget_updates_before(self, moment: datetime) -> None:
        await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < moment)
        )

    async def state(self, platform: str, chat_id: str, user_id: str) -> ConversationState | None:
        return await self.session.get(ConversationState, (platform, chat_id, user_id))

    async def put(
        self,
        platform: str,
        chat_id: str,
        user_id: str,
        state: str,
        data: dict[str, Any],
        now: datetime,
    ) -> None:
        """Write a dialog state, whether or not one was stored before (one statement)."""
        values = {
            "platform": platform,
            "chat_id": chat_id,
            "user_id": user_id,
            "state": state,
            "data": data,
            "updated_at": now,
        }
        await self.session.execute(upsert(self.session, ConversationState, values))

    async def states_in_flow(self, flow: str) -> list[ConversationState]:
        query = select(ConversationState).where(ConversationState.state == flow)
        return list((await self.session.scalars(query)).all())
