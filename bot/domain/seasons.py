"""The next season (năm thi đua mới): its calendar, the last one's a year on."""

from __future__ import annotations

import re
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


def retitled(title: str, last_year: int, year: int) -> str:
    """An event's title for the new season: the last season's year in it becomes the new one
    (``Hội nghị tổng kết năm 2021`` → ``… năm 2022``)."""
    return re.sub(rf"(?<!\d){last_year}(?!\d)", str(year), title)
