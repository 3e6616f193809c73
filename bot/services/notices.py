"""What the bot tells on its own initiative, as data, and what writes it in words.

Services decide who is told what and hand the facts to a presenter (a module of
``bot.handlers``, wired in ``bot/app.py``); they call it inside ``use_locale(<the reader's
language>)``, so a presenter writes in the current language. A time left until a deadline or a
meeting is written as ``timetext.left_until``, which the outbox settles when it queues the text
and again when it sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.services.events import EventView
    from bot.services.results import AgencyProgress, ProgressView


class CalendarTexts(Protocol):
    """The group posts about a change of the bloc's calendar."""

    def event_created(self, event: EventView) -> str: ...

    def event_moved(self, event: EventView, previous: datetime) -> str: ...

    def event_cancelled(self, event: EventView) -> str: ...


class ReminderTexts(Protocol):
    """Reminders, the Monday digest, the list of missing sheets and the head's nudge."""

    def reminder(self, event: EventView) -> str:
        """A meeting, or a deadline that does not close scoring: the same for everyone."""
        ...

    def scoring_reminder(self, event: EventView, line: AgencyProgress) -> str:
        """To a contact of an agency that has not submitted, before the scoring deadline."""
        ...

    def scoring_post(self, event: EventView, view: ProgressView) -> str:
        """To the group, before the scoring deadline: who has submitted and who has not."""
        ...

    def missing_list(self, event: EventView, late: Sequence[AgencyProgress]) -> str:
        """To the head, once the scoring deadline has passed: the agencies that missed it."""
        ...

    def digest(self, view: ProgressView, bloc: str) -> str:
        """The Monday progress post; ``bloc``: what to call the bloc."""
        ...

    def nudge(self, view: ProgressView, line: AgencyProgress) -> str:
        """To a contact of a late agency, when the head presses /remind."""
        ...

    def nudge_post(self, view: ProgressView, late: Sequence[AgencyProgress]) -> str:
        """To the group, when the head presses /remind."""
        ...


@dataclass(frozen=True)
class GivenUp:
    """An outbox message the dispatcher gave up, as its operator report tells it."""

    message_id: int
    platform: str
    chat_id: str  # the recipient
    attempts: int
    error: str
