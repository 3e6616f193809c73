"""Announcing results: sheets locked, final scores fixed and audited, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.app import App
from bot.blocfile import load_bloc_file
from bot.clock import FrozenClock
from bot.domain.sheets import Closed, Progress
from bot.handlers.announce import results_in
from bot.services.results import AlreadyAnnounced, PlatformReach, SeasonChanged
from bot.services.scoring import SheetClosed
from bot.storage.models import AuditEntry, Contact, GroupLink, Membership
from tests.conftest import SAMPLE


@dataclass
class Seeded:
    bloc_id: int
    agencies: dict[str, int]
    contacts: dict[str, int]  # agency code -> its contact's id


async def seed(app: App) -> Seeded:
    """The sample bloc, a contact for nhnn, thue and khobac, and one linked group."""
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    now = app.clock.now()
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        agencies = {agency.code: agency.id for agency in bloc.agencies}
        contacts = {}
        for number, (code, language) in enumerate(
            (("nhnn", "vi"), ("thue", "en"), ("khobac", None))
        ):
            contact = Contact(
                platform="telegram", user_id=f"u{number}", language=language, created_at=now
            )
            uow.contacts.add(contact)
            await uow.session.flush()
            uow.contacts.link(
                Membership(
                    contact_id=contact.id, bloc_id=bloc.id, agency_id=agencies[code], linked_at=now
                )
            )
            contacts[code] = contact.id
        uow.groups.add(GroupLink(bloc_id=bloc.id, platform="zalo", chat_id="g1", linked_at=now))
        await uow.commit()
        return Seeded(bloc.id, agencies, contacts)


async def fill(app: App, seeded: Seeded, code: str, submit: bool = True, **values: str) -> None:
    agency_id, contact_id = seeded.agencies[code], seeded.contacts[code]
    given = {key.replace("_", "."): Decimal(value) for key, value in values.items()}
    sheet = await app.services.scoring.sheet(seeded.bloc_id, agency_id)
    codes = [c.code for c in sheet.table.criteria()] if submit else list(given)
    answers = [(c, given.get(c, Decimal(0))) for c in codes]
    await app.services.scoring.answer(seeded.bloc_id, agency_id, contact_id, answers)
    if submit:
        await app.services.scoring.submit(seeded.bloc_id, agency_id, contact_id)


async def review(app: App, seeded: Seeded, code: str, criterion: str, value: str) -> None:
    """Set a reviewed value directly: the review dialog is another feature."""
    async with app.uow() as uow:
        season = await uow.seasons.latest(seeded.bloc_id)
        assert season is not None
        row = next(row for row in season.criteria if row.code == criterion)
        sheets = await uow.sheets.for_season(season.id)
        sheet = next(s for s in sheets if s.agency_id == seeded.agencies[code])
        entry = next(e for e in sheet.entries if e.criterion_id == row.id)
        entry.reviewed_value = Decimal(value)
        await uow.commit()


async def test_announce_locks_sheets_fixes_final_scores_and_audits(
    app: App, clock: FrozenClock
) -> None:
    seeded = await seed(app)
    await fill(app, seeded, "nhnn", I_1="20")
    clock.advance(timedelta(minutes=5))
    await fill(app, seeded, "thue", I_1="25", II_1="8")
    await fill(app, seeded, "khobac", submit=False, I_1="10", I_2="2.5")
    await review(app, seeded, "thue", "I.1", "12.5")  # the head cut thue to 20.5
    clock.advance(timedelta(days=1))
    head = seeded.contacts["nhnn"]

    provisional = await app.services.results.standings(seeded.bloc_id)
    await app.services.results.publish(seeded.bloc_id, head, results_in, year=2021)
    clock.advance(timedelta(days=3))  # the time to object, by default
    done = await app.services.results.announce(seeded.bloc_id, head, results_in, year=2021)

    assert not provisional.final
    assert [p.agency.code for p in provisional.placings] == ["thue", "nhnn"]
    view = done.standings
    assert view.final and view.progress.announced_at == clock.now()
    assert [(p.agency.code, p.total) for p in view.placings] == [
        ("thue", Decimal("20.5")),
        ("nhnn", Decimal(20)),
    ]
    assert view.leader is not None and view.leader.code == "thue"
    assert [a.code for a in view.not_ranked][:2] == ["thongke", "khobac"]
    assert sorted((r.platform, r.chat_id, r.locale) for r in done.contacts) == [
        ("telegram", "u0", "vi"),
        ("telegram", "u1", "en"),
        ("telegram", "u2", "vi"),  # no language of their own: the bloc's
    ]
    assert [(r.platform, r.chat_id, r.locale) for r in done.groups] == [("zalo", "g1", "vi")]

    async with app.uow() as uow:
        season = await uow.seasons.latest(seeded.bloc_id)
        assert season is not None and season.announced_at == clock.now()
        codes = {row.id: row.code for row in season.criteria}
        sheets = {s.agency_id: s for s in await uow.sheets.for_season(season.id)}
        assert {s.status for s in sheets.values()} == {"locked"}
        thue = sheets[seeded.agencies["thue"]]
        finals = {codes[e.criterion_id]: e.final_value for e in thue.entries}
        assert finals["I.1"] == Decimal("12.5") and finals["II.1"] == 8 and finals["D.1"] == 0
        khobac = sheets[seeded.agencies["khobac"]]
        assert {codes[e.criterion_id]: e.final_value for e in khobac.entries} == {
            "I.1": 10,
            "I.2": Decimal("2.5"),
        }
        thue_id, khobac_id = thue.id, khobac.id
        rows = await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.at == clock.now()).order_by(AuditEntry.id)
        )
        audit = [
            (a.sheet_id, a.field, codes.get(a.criterion_id or 0), a.old_value, a.new_value)
            for a in rows
            if a.actor_id == head
        ]
    finals_audited = [row for row in audit if row[1] == "final"]
    assert len(finals_audited) == 17 + 17 + 2
    assert all(old is None for _, _, _, old, _ in finals_audited)
    assert (thue_id, "final", "I.1", None, "12.5") in audit
    assert (khobac_id, "final", "I.2", None, "2.5") in audit
    assert sorted((old, new) for _, field, _, old, new in audit if field == "status") == [
        ("draft", "locked"),
        ("submitted", "locked"),
        ("submitted", "locked"),
    ]


async def test_announce_twice_is_refused_and_changes_nothing(app: App, clock: FrozenClock) -> None:
    seeded = await seed(app)
    await fill(app, seeded, "nhnn", I_1="20")
    head = seeded.contacts["nhnn"]
    await app.services.results.publish(seeded.bloc_id, head, results_in)
    clock.advance(timedelta(days=3))
    first = await app.services.results.announce(seeded.bloc_id, head, results_in)
    clock.advance(timedelta(hours=1))

    with pytest.raises(AlreadyAnnounced) as refused:
        await app.services.results.announce(seeded.bloc_id, head, results_in)
    with pytest.raises(SheetClosed) as closed:
        await fill(app, seeded, "thue", I_1="1")

    assert refused.value.at == first.standings.progress.announced_at
    assert closed.value.reason is Closed.LOCKED
    async with app.uow() as uow:
        count = len((await uow.session.scalars(select(AuditEntry))).all())
        later = (
            await uow.session.scalars(select(AuditEntry).where(AuditEntry.at == clock.now()))
        ).all()
    assert count and not later


async def test_announce_for_another_season_is_refused(app: App) -> None:
    seeded = await seed(app)

    with pytest.raises(SeasonChanged):
        await app.services.results.announce(
            seeded.bloc_id, seeded.contacts["nhnn"], results_in, year=2020
        )

    assert not (await app.services.results.progress(seeded.bloc_id)).announced


async def test_progress_counts_answers_and_contacts(app: App) -> None:
    seeded = await seed(app)
    await fill(app, seeded, "nhnn", I_1="20")
    await fill(app, seeded, "thue", submit=False, I_1="3", I_2="1")

    view = await app.services.results.progress(seeded.bloc_id)

    lines = {line.agency.code: line for line in view.agencies}
    assert [line.agency.code for line in view.agencies][:3] == ["thongke", "khobac", "thue"]
    assert lines["nhnn"].status is Progress.SUBMITTED and lines["nhnn"].submitted_at
    assert (lines["thue"].status, lines["thue"].answered, lines["thue"].criteria) == (
        Progress.DRAFT,
        2,
        17,
    )
    assert lines["bhxh"].status is Progress.NOT_STARTED and lines["bhxh"].contacts == 0
    assert lines["khobac"].contacts == 1
    assert view.deadline is not None and not view.announced


async def test_progress_counts_each_agencys_contacts_by_platform(app: App) -> None:
    seeded = await seed(app)  # one Telegram contact each for nhnn, thue and khobac
    now = app.clock.now()
    async with app.uow() as uow:
        for user_id, code, unreachable in (("z1", "thue", True), ("z2", "thue", False)):
            contact = Contact(
                platform="zalo",
                user_id=user_id,
                created_at=now,
                unreachable_at=now if unreachable else None,
            )
            uow.contacts.add(contact)
            await uow.session.flush()
            uow.contacts.link(
                Membership(
                    contact_id=contact.id,
                    bloc_id=seeded.bloc_id,
                    agency_id=seeded.agencies[code],
                    linked_at=now,
                )
            )
        await uow.commit()

    view = await app.services.results.progress(seeded.bloc_id)

    lines = {line.agency.code: line for line in view.agencies}
    assert lines["thue"].platforms == (
        PlatformReach("telegram", 1, 0),
        PlatformReach("zalo", 2, 1),
    )
    assert (lines["thue"].contacts, lines["thue"].unreachable) == (3, 1)
    assert lines["khobac"].platforms == (PlatformReach("telegram", 1, 0),)
    assert lines["bhxh"].platforms == ()
    assert lines["thue"].platforms[1].reachable == 1
