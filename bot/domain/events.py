"""The season's events on the bloc's calendar: deadlines (hạn nộp) and meetings (hội nghị)."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """What a season event is."""

    DEADLINE = "deadline"  # hạn nộp
    MEETING = "meeting"  # hội nghị
