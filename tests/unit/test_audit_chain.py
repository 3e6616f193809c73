"""The audit chain: what was chained verifies, and each kind of tampering shows where it was."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.audit import GENESIS, AuditFacts, BreakKind, ChainedEntry, chain, verify

BLOC = 7
START = datetime(2021, 11, 10, 2, 0, tzinfo=UTC)


def written(count: int = 5) -> list[ChainedEntry]:
    """``count`` entries chained from the start, with ids 101, 102, …"""
    facts = [
        AuditFacts(
            at=START + timedelta(minutes=n),
            field="self",
            old_value=str(n) if n else None,
            new_value=str(n + 1),
            actor_label="Lan, Cục Thuế",
            sheet_id=3,
            criterion_id=11,
        )
        for n in range(count)
    ]
    placed = chain(BLOC, 0, GENESIS, facts)
    return [ChainedEntry(100 + seq, seq, prev, digest, one) for seq, prev, digest, one in placed]


def head(entries: list[ChainedEntry]) -> tuple[int, str]:
    return entries[-1].seq, entries[-1].hash


def test_a_chain_as_written_verifies() -> None:
    entries = written()

    assert verify(BLOC, entries, *head(entries)) == []
    assert verify(BLOC, [], 0, GENESIS) == []


def test_a_chain_continued_later_verifies() -> None:
    entries = written(3)
    more = AuditFacts(at=START + timedelta(days=1), field="note", new_value="báo cáo số 12")
    [(seq, prev, digest, facts)] = chain(BLOC, *head(entries), [more])
    entries.append(ChainedEntry(200, seq, prev, digest, facts))

    assert seq == 4 and verify(BLOC, entries, *head(entries)) == []


def test_an_edited_fact_shows_at_its_place() -> None:
    entries = written()
    at_head = head(entries)
    entries[2] = replace(entries[2], facts=replace(entries[2].facts, new_value="30"))

    [found] = verify(BLOC, entries, *at_head)

    assert (found.kind, found.seq, found.entry_id) == (BreakKind.EDITED, 3, 103)


def test_an_entry_of_another_bloc_does_not_verify_here() -> None:
    entries = written()

    kinds = {found.kind for found in verify(BLOC + 1, entries, *head(entries))}

    assert kinds == {BreakKind.EDITED}


def test_a_removed_middle_entry_shows_as_missing() -> None:
    entries = written()
    at_head = head(entries)
    del entries[2]

    [found] = verify(BLOC, entries, *at_head)

    assert (found.kind, found.seq, found.entry_id) == (BreakKind.MISSING, 3, 104)


def test_removed_newest_entries_show_at_the_head() -> None:
    entries = written()
    at_head = head(entries)
    del entries[-2:]

    [found] = verify(BLOC, entries, *at_head)

    assert (found.kind, found.seq) == (BreakKind.HEAD, 5)


def test_a_relinked_entry_shows_where_it_no_longer_follows() -> None:
    entries = written()
    at_head = head(entries)
    entries[3] = replace(entries[3], prev_hash=entries[1].hash)  # skips entry 3's hash

    kinds = [(found.kind, found.seq) for found in verify(BLOC, entries, *at_head)]

    # Its own hash covers the hash before it, so the relinked entry is also no longer as written.
    assert kinds == [(BreakKind.RELINKED, 4), (BreakKind.EDITED, 4)]


def test_a_rewritten_tail_with_fresh_hashes_still_breaks_at_the_join() -> None:
    entries = written()
    at_head = head(entries)
    forged = replace(entries[2].facts, new_value="30")
    [(seq, prev, digest, facts)] = chain(BLOC, 2, "f" * 64, [forged])
    entries[2] = ChainedEntry(103, seq, prev, digest, facts)

    kinds = [(found.kind, found.seq) for found in verify(BLOC, entries, *at_head)]

    assert kinds == [(BreakKind.RELINKED, 3), (BreakKind.RELINKED, 4)]
