"""The inbox: updates the webhooks received, kept until a worker of some replica has handled
them (re-exported by ``bot.storage.models``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base

WAITING = text("done_at IS NULL")


class InboxUpdate(Base):
    """One update a webhook received: committed before the platform is answered 200, then
    claimed for a while (a lease) by one replica's worker, and done once answered.

    A chat's updates are taken one at a time, oldest first: the next waits until the one
    before it is done.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "update_key"),
        # What is still to be done, by chat and age: small, whatever the table holds.
        Index(
            "ix_inbox_waiting",
            "platform",
            "chat_id",
            "id",
            postgresql_where=WAITING,
            sqlite_where=WAITING,
        ),
        # What is still to be done, oldest first: a claim reads no handled update.
        Index("ix_inbox_open", "id", postgresql_where=WAITING, sqlite_where=WAITING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))  # whose updates keep their order
    # The platform's own key: Telegram's update_id; on Zalo event, message id and sender.
    update_key: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the update as the platform sent it
    received_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # claims so far
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]  # a claim holds until then, then anyone may take it
    done_at: Mapped[datetime | None]
