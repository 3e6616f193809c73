"""Conversation state and the log of processed updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Executable, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import Prepared, dialect_insert
from bot.storage.models import ConversationState, ProcessedUpdate


def _put_state(dialect: str) -> Executable:
    insert = dialect_insert(dialect, ConversationState)
    changed = {name: insert.excluded[name] for name in ("state", "data", "updated_at")}
    return insert.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=["platform", "chat_id", "user_id"], set_=changed
    )


_CLAIM = Prepared(
    lambda dialect: dialect_insert(dialect, ProcessedUpdate).on_conflict_do_nothing()
)
_PUT_STATE = Prepared(_put_state)


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_update(self, platform: str, update_id: str, now: datetime) -> bool:
        """Record an update as processed; False when it already was (a second delivery)."""
        values = {"platform": platform, "update_id": update_id, "processed_at": now}
        result = await self.session.execute(_CLAIM(self.session), values)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def forget_updates_before(self, moment: datetime) -> int:
        """Drop the record of updates processed before ``moment`` (no platform sends one again
        that late); how many were dropped."""
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < moment)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

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
        await self.session.execute(_PUT_STATE(self.session), values)

    async def states_in_flow(self, flow: str) -> list[ConversationState]:
        query = select(ConversationState).where(ConversationState.state == flow)
        return list((await self.session.scalars(query)).all())
