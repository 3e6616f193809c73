"""What the bot tells the operators on its own: an outbox message it gave up."""

from __future__ import annotations

from bot.i18n import _
from bot.services.notices import GivenUp


def given_up(report: GivenUp) -> str:
    """Which message was given up, where it was going, after how many attempts, and why."""
    return _(
        "blocbot gave up message {id} to {platform} chat {chat} after {attempts} attempts: {error}"
    ).format(
        id=report.message_id,
        platform=report.platform,
        chat=report.chat_id,
        attempts=report.attempts,
        error=report.error,
    )
