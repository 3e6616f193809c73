"""Progress, standings and the results announcement: /progress, /standings, /announce."""

from __future__ import annotations

from bot.handlers.router import Router


def register(router: Router) -> None:
    """Add the progress, standings and announcement commands."""
