"""The next season (năm thi đua mới): its calendar, the last one's a year on."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def shifted(at: datetime, years: int, timezone: str) -> datetime:
    """``at`` moved ``years`` on at the same local wall time in ``timezone``; 29 February
    becomes 28 February in a year that has none."""
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone)
    year = local.year + years
    try:
        moved = local.replace(year=year)
    except ValueError:  # 29 February, in a year without one
        moved = local.replace(year=year, day=28)
    return datetime.combine(moved.date(), moved.time(), zone).astimezone(at.tzinfo)
