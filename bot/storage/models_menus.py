"""The command menus a channel last set, each scope's in a digest: a start or a new leader sends
only the menus that changed (re-exported by ``bot.storage.models``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base


class PublishedMenu(Base):
    """The menu one bot last set in one scope (a person's chat, a person in a group...)."""

    __tablename__ = "published_menus"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    bot: Mapped[str] = mapped_column(String(32), primary_key=True)  # another bot has its own
    scope: Mapped[str] = mapped_column(String(96), primary_key=True)  # "chat:2001", "…:en"
    digest: Mapped[str] = mapped_column(String(32))  # of the commands and their descriptions
    published_at: Mapped[datetime]
