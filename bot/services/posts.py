"""Posts meant for a bloc's group, as outbox messages: to its groups, or to each contact.

Whether a group carries the post or its contacts get it directly is ``group_post_readers``'s
rule (bot/domain/audience.py); this module reads the bloc's groups and contacts and writes the
messages, each in its reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.domain.audience import group_post_readers
from bot.domain.calendar import QuietTime
from bot.i18n import use_locale
from bot.services.reach import Reach
from bot.storage.models import Bloc, Membership
from bot.storage.repositories import NewMessage
from bot.storage.uow import UnitOfWork
from bot.timetext import BEFORE_EVENT, QUIET, settle, zone_of


@dataclass(frozen=True)
class Reader:
    """A chat a group post goes to: a group, or a contact in a direct chat."""

    platform: str
    chat_id: str
    locale: str
    contact_id: int | None = None

    @property
    def kind(self) -> str:
        return "private" if self.contact_id is not None else "group"


@dataclass(frozen=True)
class Draft:
    """An outbox message before it is written for each reader: its dedupe key (the chat is
    added), its text in the current language, and when it is no longer worth sending."""

    key: str
    make: Callable[[], str]
    not_after: datetime | None
    event_id: int | None = None
    payload: dict[str, Any] | None = None  # what its rows carry besides (the quiet time)


async def readers(
    uow: UnitOfWork,
    bloc: Bloc,
    reach: Reach,
    skip: tuple[str, str] | None = None,
    links: Sequence[Membership] | None = None,
) -> list[Reader]:
    """The chats a post for the bloc's group goes to, but ``skip`` (a group told already);
    ``links``: the bloc's, if the caller has read them already."""
    groups = [
        Reader(group.platform, group.chat_id, bloc.locale)
        for group in await uow.groups.for_bloc(bloc.id)
    ]
    people = [
        Reader(
            m.contact.platform, m.contact.user_id, m.contact.language or bloc.locale, m.contact_id
        )
        for m in (await uow.contacts.in_bloc(bloc.id) if links is None else links)
        if m.contact.unreachable_at is None
    ]
    carried, direct = group_post_readers(
        groups,
        list({(p.platform, p.chat_id): p for p in people}.values()),
        groups_possible=reach.groups_possible,
        group_platform=bloc.group_platform,
    )
    return [r for r in carried if (r.platform, r.chat_id) != skip] + direct


async def tell_contacts(
    uow: UnitOfWork,
    bloc: Bloc,
    wanted: Callable[[Membership], bool],
    draft: Draft,
    now: datetime,
) -> None:
    """Direct messages to the bloc's reachable contacts whose link is ``wanted``, once each."""
    seen, messages = set(), []
    for link in await uow.contacts.in_bloc(bloc.id):
        person = link.contact
        if not wanted(link) or person.unreachable_at is not None or person.id in seen:
            continue
        seen.add(person.id)
        reader = Reader(person.platform, person.user_id, person.language or bloc.locale, person.id)
        messages.append(quiet_message(reader, bloc, draft, now))
    await uow.outbox.enqueue(messages, now)


def post_messages(
    targets: list[Reader], bloc: Bloc, draft: Draft, now: datetime
) -> list[NewMessage]:
    """One outbox message per reader of a group post, written in its language, waiting out
    the quiet time.

    A direct copy of a group post has a key of its own: it never stands in for a message
    meant for the person alone.
    """
    copy = replace(draft, key=f"{draft.key}:post")
    return [
        quiet_message(reader, bloc, draft if reader.contact_id is None else copy, now)
        for reader in targets
    ]


def quiet_message(reader: Reader, bloc: Bloc, draft: Draft, now: datetime) -> NewMessage:
    """One outbox message to ``reader``, written in its language, that waits out the bloc's
    quiet time; its dedupe key is the draft's and the chat."""
    with use_locale(reader.locale):
        body, left = settle(draft.make(), now)
    return NewMessage(
        platform=reader.platform,
        chat_id=reader.chat_id,
        text=body,
        due_at=now,
        chat_kind=reader.kind,
        contact_id=reader.contact_id,
        bloc_id=bloc.id,
        event_id=draft.event_id,
        not_after=draft.not_after,
        quiet=True,
        timezone=bloc.timezone,
        dedupe_key=f"{draft.key}:{reader.platform}:{reader.chat_id}",
        payload={**quiet_payload(bloc, now, before_event=False), **(draft.payload or {}), **left},
    )


def quiet_of(bloc: Bloc) -> QuietTime:
    """The bloc's quiet time, as its file sets it (21:00-07:00 by default)."""
    try:
        return QuietTime.of(bloc.quiet_hours or "", bloc.quiet_days or (), bloc.holidays or ())
    except ValueError:
        return QuietTime()


def quiet_payload(bloc: Bloc, now: datetime, *, before_event: bool) -> dict[str, Any]:
    """What an outbox row of the bloc carries for the dispatcher to keep its quiet time;
    ``before_event``: a reminder that goes late at night rather than after its event."""
    today = now.astimezone(zone_of(bloc.timezone)).date()
    payload: dict[str, Any] = {QUIET: quiet_of(bloc).payload(since=today)}
    if before_event:
        payload[BEFORE_EVENT] = True
    return payload
