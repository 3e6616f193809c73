"""The clocks tests and the demo move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FrozenClock, OffsetClock


def test_offset_clock_moves_forward_from_its_base() -> None:
    base = FrozenClock(datetime(2025, 11, 10, 1, 0, tzinfo=UTC))
    clock = OffsetClock(base)

    clock.advance(timedelta(days=3))
    clock.set(datetime(2025, 11, 19, 17, 0, tzinfo=UTC))
    base.advance(timedelta(minutes=5))

    assert clock.now() == datetime(2025, 11, 19, 17, 5, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.set(datetime(2025, 11, 1, tzinfo=UTC))
