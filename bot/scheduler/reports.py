"""Operator reports: a direct message to each operator about an outbox message given up.

The dispatcher passes the facts (``GivenUp``); the words are the injected presenter's, written
in the operators' language.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from bot.i18n import use_locale
from bot.services.notices import GivenUp
from bot.storage.repositories.outbox import NewMessage

REPORT = "operator-report"  # payload kind of a failure report, never reported itself


class OperatorReports:
    """Tells ``operators`` (platform, user id) of a message given up, in ``locale``."""

    def __init__(
        self,
        operators: Collection[tuple[str, str]],
        words: Callable[[GivenUp], str],
        locale: str,
    ) -> None:
        self.operators = sorted(operators)
        self.words = words
        self.locale = locale

    def messages(self, given_up: GivenUp, now: datetime) -> list[NewMessage]:
        """One direct message to each operator, due ``now``."""
        with use_locale(self.locale):
            text = self.words(given_up)
        return [
            NewMessage(
                platform=platform,
                chat_id=user_id,
                text=text,
                due_at=now,
                dedupe_key=f"outbox-failed:{given_up.message_id}:{platform}:{user_id}",
                payload={"kind": REPORT},
            )
            for platform, user_id in self.operators
        ]
