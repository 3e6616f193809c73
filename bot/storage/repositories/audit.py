"""The audit log: each bloc's hash chain of changes (``bot.domain.audit``), written and read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import (
    Table,
    Text,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    outerjoin,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.audit import AuditFacts, ChainedEntry, chain, hashed_facts
from bot.storage.models import Agency, AuditEntry, Bloc, Contact, Membership
from bot.storage.repositories.conversations import carried, dialog_upsert_cte
from bot.storage.repositories.sheets import self_score_ctes

_ENTRIES = cast(Table, AuditEntry.__table__)
_AUDIT = insert(_ENTRIES)
_BLOCS = cast(Table, Bloc.__table__)
# A Core statement: the ORM's bulk update path costs more than the statement itself.
_HEAD = (
    update(_BLOCS)
    .where(_BLOCS.c.id == bindparam("b_id"))
    .values(audit_seq=bindparam("b_seq"), audit_head=bindparam("b_head"))
)
# Core tables throughout: an ORM entity in a statement sends it down the ORM's paths.
_CONTACTS = cast(Table, Contact.__table__)
_MEMBERSHIPS = cast(Table, Membership.__table__)
_AGENCIES = cast(Table, Agency.__table__)
_WRITER_IN_BLOC = (
    outerjoin(_BLOCS, _CONTACTS, _CONTACTS.c.id == bindparam("writer_id"))
    .outerjoin(
        _MEMBERSHIPS,
        and_(_MEMBERSHIPS.c.contact_id == _CONTACTS.c.id, _MEMBERSHIPS.c.bloc_id == _BLOCS.c.id),
    )
    .outerjoin(_AGENCIES, _AGENCIES.c.id == _MEMBERSHIPS.c.agency_id)
)
# The bloc's chain head, held until commit, and who the writer (``writer_id``, -1 for none) is
# in the bloc, in one statement.
_HEAD_AND_WRITER = (
    select(
        _BLOCS.c.audit_seq,
        _BLOCS.c.audit_head,
        _CONTACTS.c.display_name,
        _CONTACTS.c.platform,
        _CONTACTS.c.user_id,
        _AGENCIES.c.name.label("agency"),
    )
    .select_from(_WRITER_IN_BLOC)
    .where(_BLOCS.c.id == bindparam("bloc_id"))
    .with_for_update(of=_BLOCS)
)
_FACTS = (
    "at",
    "field",
    "old_value",
    "new_value",
    "reason",
    "actor_id",
    "actor_label",
    "season_id",
    "sheet_id",
    "agency_id",
    "criterion_id",
    "subject",
)


def _label_of(given: Any, name: Any, platform: Any, user_id: Any, agency: Any) -> Any:
    """SQL for ``_label``: the label given, else the writer as the bloc knows them."""
    who = func.coalesce(func.nullif(name, ""), platform + literal(":", Text) + user_id)
    return case(
        (given.is_not(None), given),
        (platform.is_(None), literal("", Text)),
        else_=who + func.coalesce(literal(", ", Text) + func.nullif(agency, ""), ""),
    )


def _hash_of(bloc_id: Any, seq: Any, prev: Any, label: Any) -> Any:
    """SQL for ``entry_hash``, the facts around the label bound as ``before`` and ``after``
    (``hashed_facts``); ``to_json`` escapes text as Python's ``json.dumps`` does."""
    text = func.format(
        "[%s,%s,%s,%s,%s,%s]",
        bloc_id,
        seq,
        sql_cast(func.to_json(prev), Text),
        bindparam("before", type_=Text),
        sql_cast(func.to_json(label), Text),
        bindparam("after", type_=Text),
    )
    return func.encode(func.sha256(func.convert_to(text, "UTF8")), "hex")


def _appended() -> Any:
    """PostgreSQL: one entry chained after the bloc's head, in one statement. The head is
    held from this statement to the commit; the writer's label (``writer_id``, -1 for none,
    unless ``label`` gives it) and the hash are worked out by the server under it."""
    head = (
        select(
            _BLOCS.c.id,
            (_BLOCS.c.audit_seq + 1).label("seq"),
            _BLOCS.c.audit_head.label("prev"),
            _label_of(
                bindparam("label", type_=Text),
                _CONTACTS.c.display_name,
                _CONTACTS.c.platform,
                _CONTACTS.c.user_id,
                _AGENCIES.c.name,
            ).label("label"),
        )
        .select_from(_WRITER_IN_BLOC)
        .where(_BLOCS.c.id == bindparam("bloc_id"))
        .with_for_update(of=_BLOCS)
        .cte("head")
    )
    placed = select(
        head, _hash_of(head.c.id, head.c.seq, head.c.prev, head.c.label).label("hash")
    ).cte("placed")
    facts = [name for name in _FACTS if name != "actor_label"]
    entry = insert(_ENTRIES).from_select(
        ["bloc_id", "seq", "prev_hash", "hash", "actor_label", *facts],
        select(
            placed.c.id,
            placed.c.seq,
            placed.c.prev,
            placed.c.hash,
            placed.c.label,
            *(bindparam(f"e_{name}", type_=_ENTRIES.c[name].type) for name in facts),
        ),
    )
    return (
        update(_BLOCS)
        .where(_BLOCS.c.id == placed.c.id)
        .values(audit_seq=placed.c.seq, audit_head=placed.c.hash)
        .add_cte(entry.cte("entry"))
        .returning(_BLOCS.c.audit_seq)
    )


def _carrying(dialog: bool, score: bool) -> Any:
    """``_appended()`` with the writes of the unit that nothing in it reads back: the
    update's dialog (``dialog_upsert_cte``) and a self-score (``self_score_ctes``)."""
    statement = _appended()
    if dialog:
        statement = statement.add_cte(dialog_upsert_cte())
    if score:
        statement = statement.add_cte(*self_score_ctes())
    return statement


_APPENDED = {
    (dialog, score): _carrying(dialog, score)
    for dialog in (False, True)
    for score in (False, True)
}


class AuditRepository:
    """The audit log of one unit of work: what it appends is written when it commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._pending: dict[int, list[AuditFacts]] = {}

    async def append(self, bloc_id: int, entries: Sequence[AuditFacts]) -> None:
        """Add entries to the end of the bloc's chain, each naming its writer as the bloc
        knows them (``actor_label``); entries are never changed afterwards.

        They are placed when the unit of work commits (``write_pending``): the bloc's row is
        held from then until the commit, so the entries of one bloc are placed one transaction
        at a time, and the hold lasts no longer than the commit needs. Reading the log in the
        same unit of work writes them first.
        """
        if entries:
            self._pending.setdefault(bloc_id, []).extend(entries)

    async def write_pending(
        self, dialog: dict[str, Any] | None = None, score: dict[str, Any] | None = None
    ) -> bool:
        """Place the entries appended so far, bloc by bloc in the order of their ids (two
        transactions that write to the same blocs hold them in the same order).

        ``dialog`` (the values of a dialog write) and ``score`` (of a deferred self-score)
        go with the last statement when one can carry them (PostgreSQL, one entry): True
        then (for both), else they are still the caller's to write.
        """
        pending, self._pending = self._pending, {}
        carried_it = False
        for n, bloc_id in enumerate(sorted(pending), start=1):
            last = n == len(pending)
            carried_it = await self._place(
                bloc_id, pending[bloc_id], dialog if last else None, score if last else None
            )
        return carried_it

    def drop_pending(self) -> None:
        """Forget the entries not yet placed (the unit of work rolled back)."""
        self._pending.clear()

    async def _place(
        self,
        bloc_id: int,
        entries: Sequence[AuditFacts],
        dialog: dict[str, Any] | None,
        score: dict[str, Any] | None,
    ) -> bool:
        """Chain ``entries`` after the bloc's head. On PostgreSQL one entry (the usual append)
        is placed in one statement, with the writes of ``dialog`` and ``score`` (then True);
        else the head and who the writer is are read in one statement, and the entries and the
        new head written after it."""
        if len(entries) == 1 and self.session.get_bind().dialect.name == "postgresql":
            return await self._append_one(bloc_id, entries[0], dialog, score)
        unnamed = {f.actor_id for f in entries if f.actor_id is not None and not f.actor_label}
        writer = next(iter(unnamed)) if len(unnamed) == 1 else None
        params = {"bloc_id": bloc_id, "writer_id": writer if writer is not None else -1}
        head = (await self.session.execute(_HEAD_AND_WRITER, params)).one()
        labels: dict[int, str] = {}
        if writer is not None:
            labels[writer] = _label(head.display_name, head.platform, head.user_id, head.agency)
        for actor in unnamed - labels.keys():
            labels[actor] = await self.actor_label(actor, bloc_id)
        labelled = [
            replace(f, actor_label=labels[f.actor_id]) if f.actor_id in labels else f
            for f in entries
        ]
        placed = chain(bloc_id, head.audit_seq, head.audit_head, labelled)
        rows: list[dict[str, Any]] = [
            {
                "bloc_id": bloc_id,
                "seq": seq,
                "prev_hash": prev,
                "hash": digest,
                **{name: getattr(facts, name) for name in _FACTS},
            }
            for seq, prev, digest, facts in placed
        ]
        last_seq, _prev, last_hash, _facts = placed[-1]
        await self.session.execute(_AUDIT, rows)
        await self.session.execute(
            _HEAD, {"b_id": bloc_id, "b_seq": last_seq, "b_head": last_hash}
        )
        return False

    async def _append_one(
        self,
        bloc_id: int,
        facts: AuditFacts,
        dialog: dict[str, Any] | None,
        score: dict[str, Any] | None,
    ) -> bool:
        """PostgreSQL: ``facts`` chained in one statement (``_appended``), which holds the
        bloc's head for the shortest time: from the statement to the commit. True when it
        carried the writes of ``dialog`` and ``score`` given."""
        before, after = hashed_facts(facts)
        named = facts.actor_id is None or bool(facts.actor_label)
        params: dict[str, Any] = {
            "bloc_id": bloc_id,
            "writer_id": -1 if named else facts.actor_id,
            "label": facts.actor_label if named else None,
            "before": before,
            "after": after,
            **{f"e_{name}": getattr(facts, name) for name in _FACTS if name != "actor_label"},
            **(carried(dialog) if dialog is not None else {}),
            **(score or {}),
        }
        statement = _APPENDED[(dialog is not None, score is not None)]
        (await self.session.execute(statement, params)).one()
        return dialog is not None or score is not None

    async def actor_label(self, contact_id: int, bloc_id: int) -> str:
        """Who a contact is in a bloc, for the audit log: "Hoa, Cục Thuế tỉnh Thái Bình"
        (display name, else platform:user id; with their agency in the bloc, if any)."""
        query = (
            select(Contact.display_name, Contact.platform, Contact.user_id, Agency.name)
            .select_from(Contact)
            .outerjoin(
                Membership,
                and_(Membership.contact_id == Contact.id, Membership.bloc_id == bloc_id),
            )
            .outerjoin(Agency, Agency.id == Membership.agency_id)
            .where(Contact.id == contact_id)
        )
        found = (await self.session.execute(query)).first()
        return "" if found is None else _label(*found)

    async def head(self, bloc_id: int) -> tuple[int, str] | None:
        """The place and hash of the bloc's last entry, as the bloc keeps them."""
        await self.write_pending()
        found = (
            await self.session.execute(
                select(Bloc.audit_seq, Bloc.audit_head).where(Bloc.id == bloc_id)
            )
        ).first()
        return None if found is None else (found.audit_seq, found.audit_head)

    async def chain_of(self, bloc_id: int) -> list[ChainedEntry]:
        """Every entry of the bloc's chain, in order of place."""
        await self.write_pending()
        query = select(AuditEntry).where(AuditEntry.bloc_id == bloc_id).order_by(AuditEntry.seq)
        return [_entry(row) for row in await self.session.scalars(query)]

    async def of_criterion(self, sheet_id: int, criterion_id: int) -> list[ChainedEntry]:
        """The entries about one criterion of one sheet, oldest first."""
        await self.write_pending()
        query = (
            select(AuditEntry)
            .where(AuditEntry.sheet_id == sheet_id, AuditEntry.criterion_id == criterion_id)
            .order_by(AuditEntry.seq)
        )
        return [_entry(row) for row in await self.session.scalars(query)]


def _label(name: str | None, platform: str | None, user_id: str | None, agency: str | None) -> str:
    """ "Hoa, Cục Thuế tỉnh Thái Bình": the display name, else platform:user id, and the
    agency in the bloc if any; "" for nobody."""
    if platform is None:
        return ""
    who = name or f"{platform}:{user_id}"
    return f"{who}, {agency}" if agency else who


def _entry(row: AuditEntry) -> ChainedEntry:
    facts = AuditFacts(**{name: getattr(row, name) for name in _FACTS})
    return ChainedEntry(row.id, row.seq, row.prev_hash, row.hash, facts)
