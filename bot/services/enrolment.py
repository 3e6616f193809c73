"""Enrolment (đăng ký): linking a person to an agency, and a group chat to a bloc."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.services.invites import normalize_code
from bot.services.people import Person
from bot.storage.models import Agency, GroupLink, Invite, Membership
from bot.storage.uow import UnitOfWork

MAX_WRONG_CODES = 5
WRONG_CODE_WINDOW = timedelta(minutes=10)


class Outcome(StrEnum):
    LINKED = "linked"
    ALREADY_LINKED = "already_linked"  # to this very agency
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"
    WAIT = "wait"  # too many wrong codes
    WRONG_KIND = "wrong_kind"  # a group code in a direct chat, or the other way round
    NOT_ALLOWED = "not_allowed"  # linking a group needs the head, a deputy or an operator
    MOVE = "move"  # the code is for another agency of a bloc the person already speaks in


@dataclass(frozen=True)
class EnrolResult:
    outcome: Outcome
    bloc_id: int | None = None
    bloc_name: str = ""
    agency_name: str = ""
    wait: timedelta | None = None
    current_agency: str = ""  # with MOVE: the agency the person speaks for now


class EnrolmentService:
    """Checks invite codes and records the links they make."""

    def __init__(self, unit: UnitOfWork, clock: Clock) -> None:
        self.unit = unit
        self.clock = clock

    async def enrol(self, person: Person, text: str, *, move: bool = False) -> EnrolResult:
        """Link ``person`` to the agency of an invite code.

        A person who already speaks for another agency of the same bloc is moved only with
        ``move``; without it the result is MOVE, naming both agencies, and nothing changes.
        """
        now = self.clock.now()
        uow = self.unit
        invite = await self._usable(uow, person, text, "agency", now)
        if isinstance(invite, EnrolResult):
            return invite
        agency = invite.agency
        assert agency is not None
        bloc = await uow.blocs.by_id(agency.bloc_id)
        current = next(
            (
                m
                for m in await uow.contacts.memberships(person.contact_id)
                if m.bloc_id == invite.bloc_id
            ),
            None,
        )
        result = EnrolResult(
            Outcome.LINKED, invite.bloc_id, bloc.name if bloc else "", agency.name
        )
        if current is not None and current.agency_id == agency.id:
            return EnrolResult(
                Outcome.ALREADY_LINKED, invite.bloc_id, result.bloc_name, agency.name
            )
        if current is not None and not move:
            was = await uow.session.get(Agency, current.agency_id)
            return EnrolResult(
                Outcome.MOVE,
                invite.bloc_id,
                (bloc.short_name or bloc.name) if bloc else "",
                agency.name,
                current_agency=was.name if was else "",
            )
        if current is not None:
            current.agency_id = agency.id  # moved to another agency of the same bloc
            current.invite_id = invite.id
            current.linked_at = now
        else:
            uow.contacts.link(
                Membership(
                    contact_id=person.contact_id,
                    bloc_id=invite.bloc_id,
                    agency_id=agency.id,
                    role="contact",
                    invite_id=invite.id,
                    linked_at=now,
                )
            )
        invite.uses += 1
        return result

    async def link_group(
        self, person: Person, platform: str, chat_id: str, title: str, text: str
    ) -> EnrolResult:
        """Bind a group chat to the bloc of a group code, if the person leads that bloc."""
        now = self.clock.now()
        uow = self.unit
        invite = await self._usable(uow, person, text, "group", now)
        if isinstance(invite, EnrolResult):
            return invite
        bloc = await uow.blocs.by_id(invite.bloc_id)
        name = bloc.name if bloc else ""
        if not person.leads(invite.bloc_id):
            return EnrolResult(Outcome.NOT_ALLOWED, invite.bloc_id, name)
        existing = await uow.groups.for_chat(platform, chat_id)
        if existing is not None and existing.bloc_id == invite.bloc_id:
            return EnrolResult(Outcome.ALREADY_LINKED, invite.bloc_id, name)
        if existing is not None:
            existing.bloc_id = invite.bloc_id
            existing.linked_by_id = person.contact_id
            existing.linked_at = now
        else:
            uow.groups.add(
                GroupLink(
                    bloc_id=invite.bloc_id,
                    platform=platform,
                    chat_id=chat_id,
                    title=title,
                    linked_by_id=person.contact_id,
                    linked_at=now,
                )
            )
        invite.uses += 1
        return EnrolResult(Outcome.LINKED, invite.bloc_id, name)

    async def _usable(
        self, uow: UnitOfWork, person: Person, text: str, kind: str, now: datetime
    ) -> Invite | EnrolResult:
        """The invite a typed code names, or why it cannot be used (a wrong code is counted)."""
        wait = await self._throttled(uow, person, now)
        if wait is not None:
            return EnrolResult(Outcome.WAIT, wait=wait)
        invite = await uow.invites.find(normalize_code(text))
        problem = self._problem(invite, now, kind)
        if problem is not None or invite is None:
            uow.failures.add(person.platform, person.user_id, now)
            return EnrolResult(problem or Outcome.UNKNOWN)
        return invite

    @staticmethod
    def _problem(invite: Invite | None, now: datetime, kind: str) -> Outcome | None:
        if invite is None or invite.revoked_at is not None:
            return Outcome.UNKNOWN
        if invite.kind != kind:
            return Outcome.WRONG_KIND
        if invite.expires_at <= now:
            return Outcome.EXPIRED
        if invite.uses >= invite.max_uses:
            return Outcome.USED_UP
        return None

    @staticmethod
    async def _throttled(uow: UnitOfWork, person: Person, now: datetime) -> timedelta | None:
        """How long to wait before trying another code, or None."""
        failures = await uow.failures.recent(
            person.platform, person.user_id, now - WRONG_CODE_WINDOW
        )
        if len(failures) < MAX_WRONG_CODES:
            return None
        return failures[-MAX_WRONG_CODES] + WRONG_CODE_WINDOW - now
