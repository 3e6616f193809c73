"""End-to-end fixtures: a local Telegram Bot API emulator for each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.testing.telegram_emulator import TelegramEmulator


@pytest.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    """The emulator, listening on a free local port, for the test's bot and people."""
    async with TelegramEmulator() as emulator:
        yield emulator
