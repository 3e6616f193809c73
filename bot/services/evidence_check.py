"""The check a sheet passes before it is submitted: evidence for the criteria that need it."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.year import SeasonRules
from bot.storage.uow import UnitOfWork


class EvidenceMissing(Exception):
    """Submitting needs evidence for the criteria the bloc names (``codes``, in table order)."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


async def check_evidence(
    uow: UnitOfWork, season_id: int, sheet_id: int, codes: Mapping[int, str]
) -> None:
    """Raise EvidenceMissing when a criterion the season requires evidence for has none
    (``codes``: criterion id -> code, in table order)."""
    rules = SeasonRules.from_json(await uow.evidence.rules(season_id))
    required = {code.casefold() for code in rules.evidence.required}
    if not required:
        return
    counts = await uow.evidence.counts(sheet_id)
    lacking = tuple(
        code
        for criterion_id, code in codes.items()
        if code.casefold() in required and not counts.get(criterion_id)
    )
    if lacking:
        raise EvidenceMissing(lacking)
