"""The command menus a channel last set (``PublishedMenu``), read and recorded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.db import Prepared, dialect_insert
from bot.storage.models import PublishedMenu


def _record(dialect: str) -> Any:
    insert = dialect_insert(dialect, PublishedMenu)
    changed = {name: insert.excluded[name] for name in ("digest", "published_at")}
    return insert.on_conflict_do_update(index_elements=["platform", "bot", "scope"], set_=changed)


_RECORD = Prepared(_record)


class MenuRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def published(self, platform: str, bot: str, since: datetime) -> dict[str, str]:
        """The digest of each scope's menu the bot set since ``since``, by scope."""
        query = select(PublishedMenu.scope, PublishedMenu.digest).where(
            PublishedMenu.platform == platform,
            PublishedMenu.bot == bot,
            PublishedMenu.published_at >= since,
        )
        return {scope: digest for scope, digest in await self.session.execute(query)}

    async def record(
        self, platform: str, bot: str, digests: Mapping[str, str], now: datetime
    ) -> None:
        """The bot has set these scopes' menus (scope: digest) at ``now``."""
        rows = [
            {"platform": platform, "bot": bot, "scope": scope, "digest": digest,
             "published_at": now}
            for scope, digest in digests.items()
        ]  # fmt: skip
        if rows:
            await self.session.execute(_RECORD(self.session), rows)
