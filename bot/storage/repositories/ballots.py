"""Secret ballots: the ballot, who voted, and the votes, which nothing joins to the voters.

Every vote cast or changed rewrites all the ballot's rows of ``ballot_voters`` (by agency) and
``ballot_votes`` (under fresh random keys, in key order) in that one transaction. So no stored
row keeps when it was written: the row order (SQLite's rowid, PostgreSQL's ctid) and the
writing transaction (PostgreSQL's xmin) are the same for every voter and every vote.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Ballot, BallotVote, BallotVoter


class BallotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, ballot: Ballot) -> None:
        self.session.add(ballot)

    async def of_season(self, season_id: int, *, open_only: bool = False) -> list[Ballot]:
        """The season's ballots, newest first."""
        query = select(Ballot).where(Ballot.season_id == season_id)
        if open_only:
            query = query.where(Ballot.closed_at.is_(None))
        return list((await self.session.scalars(query.order_by(Ballot.id.desc()))).all())

    async def lock(self, ballot_id: int) -> Ballot | None:
        """The ballot read afresh and held until commit (``FOR UPDATE`` on PostgreSQL)."""
        query = (
            select(Ballot)
            .where(Ballot.id == ballot_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(query)).one_or_none()

    async def due(self, now: datetime) -> list[int]:
        """The ballots still open whose closing time has come."""
        query = select(Ballot.id).where(Ballot.closed_at.is_(None), Ballot.closes_at <= now)
        return list((await self.session.scalars(query.order_by(Ballot.id))).all())

    async def voted(self, ballot_id: int, agency_id: int) -> bool:
        query = select(BallotVoter.agency_id).where(
            BallotVoter.ballot_id == ballot_id, BallotVoter.agency_id == agency_id
        )
        return (await self.session.scalar(query)) is not None

    async def turnout(self, ballot_ids: Sequence[int]) -> dict[int, int]:
        """How many agencies voted in each ballot."""
        if not ballot_ids:
            return {}
        query = (
            select(BallotVoter.ballot_id, func.count())
            .where(BallotVoter.ballot_id.in_(ballot_ids))
            .group_by(BallotVoter.ballot_id)
        )
        return {ballot_id: count for ballot_id, count in await self.session.execute(query)}

    async def choices(self, ballot_id: int) -> list[list[str]]:
        """Every vote's choice, in the votes' random order."""
        query = select(BallotVote.choice).where(BallotVote.ballot_id == ballot_id)
        return [list(choice) for choice in (await self.session.scalars(query)).all()]

    async def choice_of(self, ballot_id: int, receipt_hash: str) -> list[str] | None:
        """The choice of the vote whose receipt has this hash, if there is one."""
        query = select(BallotVote.choice).where(
            BallotVote.ballot_id == ballot_id, BallotVote.receipt_hash == receipt_hash
        )
        choice = await self.session.scalar(query)
        return None if choice is None else list(choice)

    async def record(
        self,
        ballot_id: int,
        receipt_hash: str,
        choice: Sequence[str],
        agency_id: int | None = None,
    ) -> None:
        """Write a vote (new, or changed: same receipt) and, for a new one, that ``agency_id``
        voted, by rewriting every row of the ballot (see the module). The caller holds the
        ballot's lock."""
        session = self.session
        voters = set(
            (
                await session.scalars(
                    select(BallotVoter.agency_id).where(BallotVoter.ballot_id == ballot_id)
                )
            ).all()
        )
        if agency_id is not None:
            voters.add(agency_id)
        rows = await session.execute(
            select(BallotVote.receipt_hash, BallotVote.choice).where(
                BallotVote.ballot_id == ballot_id
            )
        )
        votes = {digest: list(old) for digest, old in rows}
        votes[receipt_hash] = list(choice)
        await session.execute(delete(BallotVote).where(BallotVote.ballot_id == ballot_id))
        await session.execute(delete(BallotVoter).where(BallotVoter.ballot_id == ballot_id))
        await session.execute(
            insert(BallotVoter),
            [{"ballot_id": ballot_id, "agency_id": agency} for agency in sorted(voters)],
        )
        fresh = sorted(
            ({"key": secrets.token_hex(16), "ballot_id": ballot_id, "receipt_hash": digest,
              "choice": picked} for digest, picked in votes.items()),
            key=lambda row: str(row["key"]),
        )  # fmt: skip
        await session.execute(insert(BallotVote), fresh)
