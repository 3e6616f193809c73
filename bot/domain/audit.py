"""The audit trail (nhật ký thay đổi): every change of a value, chained so that none can be
edited or removed unseen.

Each bloc has one chain. An entry holds who changed what, when, from what to what and why,
its place in the chain (``seq``, from 1) and the hash of the entry before it; its own hash
covers all of that. Editing an entry changes its hash, which the next entry no longer holds;
removing one leaves a gap in the places; the bloc keeps the place and hash of its last entry,
so removing the newest ones shows too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

GENESIS = "0" * 64  # what the first entry of a chain holds as the hash before it


class AuditField(StrEnum):
    """What an entry is about."""

    SELF = "self"  # the agency's own value of a criterion
    NOTE = "note"  # the agency's note on a criterion
    STATUS = "status"  # the sheet's status (draft, submitted, locked)
    REVIEWED = "reviewed"  # the reviewed value of a criterion
    FINAL = "final"  # the final value of a criterion
    UNLOCK = "unlock"  # the head reopened a sheet after the deadline (new: until when)
    LATE = "late"  # a sheet counted as late
    ELIGIBILITY = "eligibility"  # whether an agency may be proposed for awards
    EVIDENCE = "evidence"  # a piece of evidence attached or removed
    BALLOT_OPENED = "ballot_opened"
    BALLOT_CLOSED = "ballot_closed"
    RESULTS = "results"  # results published: provisional, final, corrected
    SEASON = "season"  # a season started
    DONE = "done"  # an agency sent what a deadline asks for (subject: the event's code)
    ATTENDANCE = "attendance"  # an agency's answer to a meeting (subject: the event's code)
    PLACE = "place"  # a meeting's place (subject: the event's code)


@dataclass(frozen=True)
class AuditFacts:
    """What one entry says, as it is stored."""

    at: datetime
    field: str
    old_value: str | None = None
    new_value: str | None = None
    reason: str | None = None
    actor_id: int | None = None
    actor_label: str = ""
    season_id: int | None = None
    sheet_id: int | None = None
    agency_id: int | None = None
    criterion_id: int | None = None
    subject: str | None = None  # what else it is about: a ballot, an evidence file


@dataclass(frozen=True)
class ChainedEntry:
    """An entry in its place in the bloc's chain."""

    id: int
    seq: int
    prev_hash: str
    hash: str
    facts: AuditFacts


def entry_hash(bloc_id: int, seq: int, prev_hash: str, facts: AuditFacts) -> str:
    """The hash of an entry: SHA-256 of its place, the hash before it and every fact.

    ``actor_id`` is left out: it is emptied when a contact is removed, which is no edit of
    what happened (``actor_label`` keeps who it was).
    """
    before, after = hashed_facts(facts)
    place = f"{bloc_id},{seq},{_json(prev_hash)}"
    text = f"[{place},{before},{_json(facts.actor_label)},{after}]"
    return hashlib.sha256(text.encode()).hexdigest()


def hashed_facts(facts: AuditFacts) -> tuple[str, str]:
    """What the hash covers of an entry's facts, around its writer's label, as JSON list items:
    the text an entry hashes is the JSON list ``[bloc id, seq, hash before, *before, label,
    *after]``, written without spaces (so PostgreSQL can hash an entry whose label it reads)."""
    before = [
        facts.at.astimezone(UTC).isoformat(timespec="microseconds"),
        facts.field,
        facts.old_value,
        facts.new_value,
        facts.reason,
    ]
    after = [facts.season_id, facts.sheet_id, facts.agency_id, facts.criterion_id, facts.subject]
    return _json(before)[1:-1], _json(after)[1:-1]


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def chain(
    bloc_id: int, last_seq: int, last_hash: str, facts: Iterable[AuditFacts]
) -> list[tuple[int, str, str, AuditFacts]]:
    """Place new entries after (``last_seq``, ``last_hash``): (seq, prev_hash, hash, facts)."""
    placed = []
    seq, prev = last_seq, last_hash
    for one in facts:
        seq += 1
        digest = entry_hash(bloc_id, seq, prev, one)
        placed.append((seq, prev, digest, one))
        prev = digest
    return placed


class BreakKind(StrEnum):
    """How a chain is broken."""

    EDITED = "edited"  # the entry's facts no longer give its hash
    RELINKED = "relinked"  # it does not hold the hash of the entry before it
    MISSING = "missing"  # entries are gone before this place
    HEAD = "head"  # the bloc's last place and hash are not those of its last entry


@dataclass(frozen=True)
class Break:
    """One place where the chain does not hold."""

    kind: BreakKind
    seq: int  # the place in the chain where it shows
    entry_id: int | None = None


def verify(
    bloc_id: int, entries: Iterable[ChainedEntry], head_seq: int, head_hash: str
) -> list[Break]:
    """Every break in a bloc's chain, given its entries in order of place and the bloc's head.

    An empty list: every entry is as it was written, and none is missing.
    """
    found = []
    seq, prev = 0, GENESIS
    for entry in entries:
        if entry.seq != seq + 1:
            found.append(Break(BreakKind.MISSING, seq + 1, entry.id))
        elif entry.prev_hash != prev:
            found.append(Break(BreakKind.RELINKED, entry.seq, entry.id))
        if entry_hash(bloc_id, entry.seq, entry.prev_hash, entry.facts) != entry.hash:
            found.append(Break(BreakKind.EDITED, entry.seq, entry.id))
        seq, prev = entry.seq, entry.hash
    if (seq, prev) != (head_seq, head_hash):
        found.append(Break(BreakKind.HEAD, max(seq, head_seq)))
    return found
