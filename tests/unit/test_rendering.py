"""The process that draws the files runs at the priority the settings give it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bot.handlers import rendering
from bot.handlers.rendering import portable, rendered, set_niceness


@pytest.fixture
def fresh_worker() -> Iterator[None]:
    """A worker process started for the test, and the suite's own one afterwards."""
    rendering.shutdown_worker()
    yield
    rendering.shutdown_worker()
    set_niceness(int(os.environ["BLOCBOT_RENDER_NICENESS"]))


async def test_the_drawing_process_yields_to_the_bot_by_the_niceness_set(
    fresh_worker: None,
) -> None:
    set_niceness(7)
    assert portable(os.nice, (0,))
    assert await rendered(os.nice, 0) == os.nice(0) + 7
