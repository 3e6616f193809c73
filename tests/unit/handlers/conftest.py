"""Handler tests: the real router and services on a fresh SQLite file, a recording channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build
from bot.clock import FrozenClock
from bot.config import Settings
from bot.storage.migrate import upgrade
from bot.testing.recording import Recording


@pytest.fixture
async def recording(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Recording]:
    """The sample bloc imported, invite codes known, nobody linked yet."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'handlers.db'}"
    await upgrade(url)
    settings = Settings(  # type: ignore[call-arg]
        database_url=url, operators="telegram:op", files=str(tmp_path / "files"), _env_file=None
    )
    app: App = build(settings, clock)
    channel = Recording(app)
    await channel.seed()
    yield channel
    await app.close()
