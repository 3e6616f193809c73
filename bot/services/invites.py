"""Invite codes (mã mời): one per agency to link people, one per bloc to link its group."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.storage.models import Invite
from bot.storage.uow import UnitOfWork

# No look-alikes: without 0/O, 1/I/L, 5/S, 2/Z, 8/B; upper case so that it reads out loud.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 12
AGENCY_MAX_USES = 3
GROUP_MAX_USES = 2
VALIDITY = timedelta(days=60)


def new_code(length: int = CODE_LENGTH) -> str:
    """A fresh random code from a cryptographically secure generator."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize_code(text: str) -> str:
    """What a person typed, as a stored code: upper case, without spaces and dashes."""
    return "".join(text.split()).replace("-", "").upper()


@dataclass(frozen=True)
class InviteLine:
    """One printed invite: for an agency (``agency_code`` set) or for the group."""

    kind: str  # agency, group
    agency_code: str | None
    agency_name: str | None
    code: str
    uses: int
    max_uses: int
    expires_at: datetime


class UnknownBloc(LookupError):
    """No bloc has this code."""


class UnknownAgency(LookupError):
    """No agency of the bloc has this code; ``codes`` are the bloc's agency codes."""

    def __init__(self, code: str, codes: list[str]) -> None:
        super().__init__(code)
        self.codes = codes


@dataclass(frozen=True)
class Renewed:
    """An agency's new invite code, and the one it replaced (None if none was usable)."""

    line: InviteLine
    revoked: str | None


class InviteService:
    """Hands out invite codes."""

    def __init__(self, unit: UnitOfWork, clock: Clock) -> None:
        self.unit = unit
        self.clock = clock

    async def invites(self, bloc_code: str, *, rotate: bool = False) -> list[InviteLine]:
        """The bloc's usable codes, creating what is missing; ``rotate`` replaces them all."""
        now = self.clock.now()
        uow = self.unit
        bloc = await uow.blocs.get(bloc_code)
        if bloc is None:
            raise UnknownBloc(bloc_code)
        if rotate:
            await uow.invites.revoke_all(bloc.id, now)
            await uow.session.flush()
        active = list(await uow.invites.active(bloc.id, now))
        have_group = any(invite.kind == "group" for invite in active)
        have_agency = {invite.agency_id for invite in active if invite.kind == "agency"}
        for agency in bloc.agencies:
            if agency.id not in have_agency:
                active.append(self._new(bloc.id, agency.id, "agency", now))
        if not have_group:
            active.append(self._new(bloc.id, None, "group", now))
        for invite in active:
            if invite.id is None:
                uow.invites.add(invite)
        order = {agency.id: position for position, agency in enumerate(bloc.agencies)}
        active.sort(key=lambda i: (i.kind == "group", order.get(i.agency_id or 0, 0)))
        names = {agency.id: (agency.code, agency.name) for agency in bloc.agencies}
        return [
            InviteLine(
                kind=invite.kind,
                agency_code=names[invite.agency_id][0] if invite.agency_id else None,
                agency_name=names[invite.agency_id][1] if invite.agency_id else None,
                code=invite.code,
                uses=invite.uses,
                max_uses=invite.max_uses,
                expires_at=invite.expires_at,
            )
            for invite in active
        ]

    async def renew(self, bloc_id: int, agency_code: str) -> Renewed:
        """Revoke the agency's usable code and issue a new one (``/newcode``)."""
        now = self.clock.now()
        uow = self.unit
        found = await uow.blocs.by_id(bloc_id)
        bloc = await uow.blocs.get(found.code) if found else None  # with its agencies
        if bloc is None:
            raise UnknownBloc(str(bloc_id))
        wanted = agency_code.strip().lower()
        agency = next((a for a in bloc.agencies if a.code.lower() == wanted), None)
        if agency is None:
            raise UnknownAgency(agency_code, [a.code for a in bloc.agencies])
        revoked = None
        for invite in await uow.invites.active(bloc.id, now):
            if invite.agency_id == agency.id:
                invite.revoked_at, revoked = now, invite.code
        invite = self._new(bloc.id, agency.id, "agency", now)
        uow.invites.add(invite)
        line = InviteLine(
            "agency", agency.code, agency.name, invite.code, 0, invite.max_uses, invite.expires_at
        )
        return Renewed(line, revoked)

    def _new(self, bloc_id: int, agency_id: int | None, kind: str, now: datetime) -> Invite:
        return Invite(
            bloc_id=bloc_id,
            agency_id=agency_id,
            kind=kind,
            code=new_code(),
            max_uses=AGENCY_MAX_USES if kind == "agency" else GROUP_MAX_USES,
            uses=0,
            expires_at=now + VALIDITY,
            created_at=now,
        )
