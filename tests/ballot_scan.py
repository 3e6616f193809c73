"""Reads every row of every table, as an operator with database access could, and checks
that nothing stored links a vote of a secret ballot to an agency or a person."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.domain.ballots import shown_receipt
from bot.storage.models import Base

VOTE_COLUMNS = {"key", "ballot_id", "choice", "receipt_hash"}
VOTER_COLUMNS = {"ballot_id", "agency_id"}


async def every_row(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    """All rows of all tables, by table name."""
    found = {}
    async with AsyncSession(engine) as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).mappings().all()
            found[table.name] = [dict(row) for row in rows]
    return found


def _words(row: dict[str, Any]) -> str:
    return json.dumps(row, default=str, ensure_ascii=False)


async def assert_votes_unlinkable(
    engine: AsyncEngine, receipts: list[str], choices: list[list[str]]
) -> None:
    """No row links a vote (its key, choice or receipt) to an agency or a contact."""
    tables = await every_row(engine)
    votes, voters = tables["ballot_votes"], tables["ballot_voters"]
    assert votes and voters
    # The votes hold no identity, the voters no vote.
    assert {column for row in votes for column in row} == VOTE_COLUMNS
    assert {column for row in voters for column in row} == VOTER_COLUMNS
    assert sorted(row["choice"] for row in votes) == sorted(choices)
    keys = {row["key"] for row in votes} | {row["receipt_hash"] for row in votes}
    plain = set(receipts) | {shown_receipt(receipt) for receipt in receipts}
    for name, rows in tables.items():
        for row in rows:
            words = _words(row)
            # A receipt is given to the voter and never stored; a vote's key and receipt
            # hash appear in its own row only.
            assert not any(receipt in words for receipt in plain), (name, row)
            if name != "ballot_votes":
                assert not any(key in words for key in keys), (name, row)
    for row in tables["conversation_states"]:
        assert "picked" not in row["data"] and "ballot" not in row["data"], row
    for row in tables["outbox"]:
        assert str(row["dedupe_key"] or "").startswith(("ballot:", "results:")) or (
            "ballot" not in row["text"].casefold()
        ), row
    entries = [row for row in tables["audit_log"] if str(row["subject"]).startswith("ballot:")]
    assert {row["field"] for row in entries} <= {"ballot_opened", "ballot_closed"}
    assert all(row["agency_id"] is None and row["old_value"] is None for row in entries)
    await _no_order(engine)


async def _no_order(engine: AsyncEngine) -> None:
    """The rows' physical order and writing transaction tell nothing of when each was
    written: voters in agency order, votes in key order, all written together."""
    sqlite = engine.dialect.name == "sqlite"
    order = "rowid" if sqlite else "ctid"
    async with AsyncSession(engine) as conn:
        voters = await conn.execute(text(f"SELECT agency_id FROM ballot_voters ORDER BY {order}"))
        agencies = list(voters.scalars())
        assert agencies == sorted(agencies)
        if sqlite:
            keys = list((await conn.execute(text("SELECT key FROM ballot_votes"))).scalars())
            assert keys == sorted(keys)
        else:
            both = "SELECT xmin::text FROM ballot_voters UNION SELECT xmin::text FROM ballot_votes"
            xmins = await conn.execute(text(both))
            assert len(list(xmins.scalars())) == 1  # one transaction wrote them all
