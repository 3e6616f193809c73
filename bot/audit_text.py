"""What ``blocbot audit verify`` says of a bloc's chain, in the operator's language."""

from __future__ import annotations

from babel.numbers import format_decimal

from bot.domain.audit import BreakKind
from bot.i18n import _, current_locale, ngettext
from bot.services.history import AuditCheck, ChainBreak


def describe_check(check: AuditCheck) -> list[str]:
    """One line when the chain holds; else a line saying so and one line per break."""
    count = format_decimal(check.entries, locale=current_locale())
    if check.intact:
        return [
            ngettext(
                "Audit trail of bloc {bloc}: {count} entry, intact.",
                "Audit trail of bloc {bloc}: {count} entries, intact.",
                check.entries,
            ).format(bloc=check.bloc_code, count=count)
        ]
    first = ngettext(
        "Audit trail of bloc {bloc}: {count} entry, broken in {breaks}:",
        "Audit trail of bloc {bloc}: {count} entries, broken in {breaks}:",
        check.entries,
    ).format(bloc=check.bloc_code, count=count, breaks=_broken(len(check.breaks)))
    return [first, *(describe_break(one, check) for one in check.breaks)]


def _broken(count: int) -> str:
    return ngettext("{count} place", "{count} places", count).format(count=count)


def describe_break(found: ChainBreak, check: AuditCheck) -> str:
    """What is wrong at one place of the chain, in words."""
    if found.kind is BreakKind.EDITED:
        return _("Entry {seq} (id {id}) was changed after it was written.").format(
            seq=found.seq, id=found.entry_id
        )
    if found.kind is BreakKind.RELINKED:
        return _(
            "Entry {seq} (id {id}) does not hold the hash of the entry before it: "
            "the chain was rejoined there."
        ).format(seq=found.seq, id=found.entry_id)
    if found.kind is BreakKind.MISSING:
        last = (found.entry_seq or found.seq + 1) - 1
        if last <= found.seq:
            return _("Entry {seq} is missing: the log goes on with entry id {id}.").format(
                seq=found.seq, id=found.entry_id
            )
        return _(
            "Entries {first} to {last} are missing: the log goes on with entry id {id}."
        ).format(first=found.seq, last=last, id=found.entry_id)
    if check.last_seq < check.head_seq:
        return _(
            "The newest entries were removed: the bloc's last entry is place {head}, "
            "the log ends at {last}."
        ).format(head=check.head_seq, last=check.last_seq)
    if check.last_seq > check.head_seq:
        return _(
            "The log goes on past the bloc's last entry: the bloc's last entry is place "
            "{head}, the log ends at {last}."
        ).format(head=check.head_seq, last=check.last_seq)
    return _(
        "The bloc's record of its last entry (place {head}) does not match that entry: "
        "one of them was changed."
    ).format(head=check.head_seq)
