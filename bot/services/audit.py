"""Rows of a sheet's audit log: who changed what, from what to what."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from bot.domain.scores import plain


def audit_row(
    at: datetime,
    sheet_id: int,
    actor_id: int,
    field: str,
    old: str | None,
    new: str | None,
    criterion_id: int | None = None,
) -> dict[str, object]:
    """One audit log row: who changed what on a sheet, from what to what (the repository
    adds who the actor is in the bloc)."""
    return {
        "at": at,
        "sheet_id": sheet_id,
        "criterion_id": criterion_id,
        "field": field,
        "old_value": old,
        "new_value": new,
        "actor_id": actor_id,
        "reason": None,
    }


def shown(value: Decimal | None) -> str | None:
    """A score as the audit log keeps it: plain digits, None for no value."""
    return None if value is None else str(plain(value))
