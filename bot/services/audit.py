"""Entries of a bloc's audit trail: who changed what, from what to what."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from bot.domain.audit import AuditFacts
from bot.domain.scores import plain


def sheet_change(
    at: datetime,
    sheet: tuple[int, int, int],
    actor_id: int | None,
    field: str,
    old: str | None,
    new: str | None,
    criterion_id: int | None = None,
    *,
    reason: str | None = None,
) -> AuditFacts:
    """One change of a sheet (``sheet``: its id, season id and agency id), by ``actor_id``
    (the repository adds who the actor is in the bloc)."""
    sheet_id, season_id, agency_id = sheet
    return AuditFacts(
        at=at,
        field=field,
        old_value=old,
        new_value=new,
        reason=reason,
        actor_id=actor_id,
        season_id=season_id,
        sheet_id=sheet_id,
        agency_id=agency_id,
        criterion_id=criterion_id,
    )


def shown(value: Decimal | None) -> str | None:
    """A score as the audit log keeps it: plain digits, None for no value."""
    return None if value is None else str(plain(value))
