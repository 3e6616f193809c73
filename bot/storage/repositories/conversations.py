"""Conversation state and the log of processed updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CTE, Executable, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import Prepared, dialect_insert
from bot.storage.models import ConversationState, ProcessedUpdate

_DIALOG_KEY = ("platform", "chat_id", "user_id")
_DIALOG_CHANGES = ("state", "data", "updated_at")


def _upsert(insert: Any) -> Any:
    """A dialog's INSERT that updates the stored state of the same (platform, chat, user)."""
    changed = {name: insert.excluded[name] for name in _DIALOG_CHANGES}
    return insert.on_conflict_do_update(index_elements=list(_DIALOG_KEY), set_=changed)


def _put_state(dialect: str) -> Executable:
    return _upsert(dialect_insert(dialect, ConversationState))  # type: ignore[no-any-return]


def dialog_upsert_cte() -> CTE:
    """PostgreSQL: the dialog write as a CTE another statement carries, its values bound as
    ``d_platform``, ``d_chat_id``... (``carried()``)."""
    columns = (*_DIALOG_KEY, *_DIALOG_CHANGES)
    bound: dict[str, Any] = {name: bindparam(f"d_{name}") for name in columns}
    insert = pg_insert(ConversationState).values(bound)
    return _upsert(insert).cte("dialog")  # type: ignore[no-any-return]


def carried(values: dict[str, Any]) -> dict[str, Any]:
    """A dialog write's values, bound as ``dialog_upsert_cte()`` names them."""
    return {f"d_{name}": value for name, value in values.items()}


_CLAIM = Prepared(
    lambda dialect: dialect_insert(dialect, ProcessedUpdate).on_conflict_do_nothing()
)
_PUT_STATE = Prepared(_put_state)


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Dialog writes wait for the commit, where the audit's last statement may carry one.
        self._pending: dict[tuple[str, str, str], dict[str, Any]] = {}

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
        await self.write_pending()
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
        """Write a dialog state, whether or not one was stored before (one statement, sent
        when the unit of work commits or reads dialogs again)."""
        values = {
            "platform": platform,
            "chat_id": chat_id,
            "user_id": user_id,
            "state": state,
            "data": data,
            "updated_at": now,
        }
        self._pending[(platform, chat_id, user_id)] = values

    def take_pending(self) -> list[dict[str, Any]]:
        """The dialog writes not sent yet, for a statement that carries one; they are the
        caller's to write now."""
        pending, self._pending = list(self._pending.values()), {}
        return pending

    async def write_pending(self, pending: list[dict[str, Any]] | None = None) -> None:
        """Send the dialog writes not sent yet (or those ``take_pending`` gave back)."""
        for values in self.take_pending() if pending is None else pending:
            await self.session.execute(_PUT_STATE(self.session), values)

    def drop_pending(self) -> None:
        """Forget the dialog writes not sent (the unit of work rolled back)."""
        self._pending.clear()

    async def states_in_flow(self, flow: str) -> list[ConversationState]:
        await self.write_pending()
        query = select(ConversationState).where(ConversationState.state == flow)
        return list((await self.session.scalars(query)).all())
