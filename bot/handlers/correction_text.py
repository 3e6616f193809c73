"""How a corrected final score reads, to the operator and to the people told."""

from __future__ import annotations

from bot.handlers.formatting import points
from bot.i18n import _
from bot.services.corrections import Correction


def corrected(done: Correction) -> str:
    """The change, its reason, and where the agency stands now."""
    old = points(done.old) if done.old is not None else _("no value")
    lines = [
        _(
            "Final score corrected after the results of {year}: {agency}, criterion {code} "
            "“{title}”: {old} → {new}."
        ).format(
            year=done.year,
            agency=done.agency.name,
            code=done.criterion.code,
            title=done.criterion.title,
            old=old,
            new=points(done.new),
        ),
        _("Reason: {reason}").format(reason=done.reason),
        standing(done),
    ]
    return "\n".join(lines)


def standing(done: Correction) -> str:
    placing = done.placing
    if placing is None:
        return _("{agency} is not ranked (no submitted sheet).").format(agency=done.agency.name)
    mark = f"{placing.rank}=" if placing.shared else str(placing.rank)
    return _("{agency} now has {total} points, rank {rank}.").format(
        agency=done.agency.name, total=points(placing.total), rank=mark
    )
