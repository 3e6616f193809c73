"""The self-score sheet dialog: /score, /myscore, /note."""

from __future__ import annotations

from bot.handlers.router import Router


def register(router: Router) -> None:
    """Add the scoring commands, dialog and buttons."""
