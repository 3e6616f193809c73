"""The sample bloc as end-to-end tests import it: its scoring deadline some days ahead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import App
from bot.blocfile import parse_bloc
from tests.unit.blocfile_cases import dump, sample_data


async def seeded(
    app: App, days: int, change: Callable[[dict[str, Any]], object] | None = None
) -> dict[str, str]:
    """Import the sample bloc with its deadline ``days`` ahead (and ``change`` made to its
    file's data); its invite codes by agency (the group's under "group")."""
    data = sample_data()
    if change is not None:
        change(data)
    due = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(days=days)
    data["season"]["deadlines"][0]["due"] = due.strftime("%Y-%m-%d 17:00")
    await app.blocs.import_bloc(parse_bloc(dump(data)))
    return {
        line.agency_code or "group": line.code for line in await app.invites.invites("tw-thaibinh")
    }
