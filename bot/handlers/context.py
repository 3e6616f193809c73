"""What a handler gets: the update, the person, their dialog, the services, and a reply list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from bot.handlers.model import Button, Incoming, Outgoing, Replies
from bot.services.people import Conversation, GroupBloc, Link, Person

if TYPE_CHECKING:
    from bot.handlers.router import Router
    from bot.services.ballots import BallotService
    from bot.services.corrections import CorrectionService
    from bot.services.documents import DocumentService
    from bot.services.enrolment import EnrolmentService
    from bot.services.events import EventService
    from bot.services.evidence import EvidenceService
    from bot.services.exports import ExportService
    from bot.services.history import HistoryService
    from bot.services.invites import InviteService
    from bot.services.members import MemberService
    from bot.services.people import PeopleService
    from bot.services.reminders import ReminderService
    from bot.services.results import ResultsService
    from bot.services.review import ReviewService
    from bot.services.scoring import ScoringService
    from bot.services.seasons import SeasonService
    from bot.services.sheet_admin import SheetAdminService
    from bot.services.tracking import TrackingService


class Services(Protocol):
    """The use cases handlers may call, bound to the unit of work of one update.

    The router opens it, every handler of the update works in it, and the router alone ends
    it: ``commit()`` once at the end, or ``rollback()`` to drop what a failed update did.
    """

    @property
    def people(self) -> PeopleService: ...

    @property
    def enrolment(self) -> EnrolmentService: ...

    @property
    def scoring(self) -> ScoringService: ...

    @property
    def results(self) -> ResultsService: ...

    @property
    def reminders(self) -> ReminderService: ...

    @property
    def events(self) -> EventService: ...

    @property
    def history(self) -> HistoryService: ...

    @property
    def sheet_admin(self) -> SheetAdminService: ...

    @property
    def members(self) -> MemberService: ...

    @property
    def invites(self) -> InviteService: ...

    @property
    def tracking(self) -> TrackingService: ...

    @property
    def review(self) -> ReviewService: ...

    @property
    def evidence(self) -> EvidenceService: ...

    @property
    def ballots(self) -> BallotService: ...

    @property
    def corrections(self) -> CorrectionService: ...

    @property
    def seasons(self) -> SeasonService: ...

    @property
    def exports(self) -> ExportService: ...

    @property
    def documents(self) -> DocumentService: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


# Opens the unit of work of one update, with the use cases bound to it.
Begin = Callable[[], AbstractAsyncContextManager[Services]]


@dataclass
class Context:
    """One update being handled."""

    incoming: Incoming
    person: Person
    conversation: Conversation
    group: GroupBloc | None
    services: Services
    replies: Replies
    router: Router

    @property
    def bloc_id(self) -> int | None:
        """The bloc a command is about: the group's bloc, else the person's own, else the one
        an operator chose with /bloc."""
        if self.group is not None:
            return self.group.bloc_id
        link = self.person.link
        if link is not None:
            return link.bloc_id
        chosen = self.chosen_bloc
        return chosen.bloc_id if chosen else None

    @property
    def chosen_bloc(self) -> GroupBloc | None:
        """The bloc an operator with no link acts on in a direct chat, chosen with /bloc."""
        if self.incoming.in_group or self.person.link is not None:
            return None
        return self.person.chosen

    @property
    def link(self) -> Link | None:
        """The person's link in the bloc of this update."""
        bloc_id = self.bloc_id
        return self.person.link_in(bloc_id) if bloc_id is not None else None

    def reply(
        self,
        text: str,
        buttons: Sequence[Sequence[Button]] = (),
        *,
        menu: bool = False,
        edit: bool = False,
    ) -> None:
        """Answer in the chat of the update."""
        rows = tuple(tuple(row) for row in buttons if row)
        self.replies.add(Outgoing(text, rows, edit=edit, menu=menu))
        if menu:
            self.conversation.data["menu"] = [button.payload for row in rows for button in row]
        else:
            self.conversation.data.pop("menu", None)

    def tell(self, text: str) -> None:
        """Answer without changing the question: the options offered before still hold."""
        self.replies.add(Outgoing(text))

    def send(self, platform: str, chat_id: str, text: str) -> None:
        """Send to another chat (a group post, a direct message)."""
        self.replies.add(Outgoing(text, platform=platform, chat_id=chat_id))

    def headline(self, text: str) -> None:
        """Put ``text`` above the first reply in the chat of the update."""
        for index, message in enumerate(self.replies.messages):
            if message.chat_id is None:
                self.replies.messages[index] = replace(message, text=f"{text}\n{message.text}")
                return

    def notice(self, text: str) -> None:
        """A short acknowledgement of a pressed button."""
        self.replies.notice = text
