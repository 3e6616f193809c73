"""The audit log says who changed a score by name and agency, whoever writes the entry."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.app import App
from bot.blocfile import load_bloc_file
from bot.clock import FrozenClock
from bot.handlers.announce import results_in
from bot.storage.models import AuditEntry, Contact, Membership
from tests.conftest import SAMPLE

THUE = "Cục Thuế tỉnh Thái Bình"
NHNN = "Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Thái Bình"


async def people(app: App) -> tuple[int, dict[str, int], dict[str, int]]:
    """The sample bloc; Lan for thue, Hoa (the head) for nhnn, and a nameless operator."""
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    now = app.clock.now()
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        agencies = {agency.code: agency.id for agency in bloc.agencies}
        ids = {}
        for user, name, agency in (("u1", "Lan", "thue"), ("u2", "Hoa", "nhnn"), ("op", "", "")):
            contact = Contact(platform="telegram", user_id=user, display_name=name, created_at=now)
            uow.contacts.add(contact)
            await uow.session.flush()
            if agency:
                agency_id = agencies[agency]
                link = Membership(
                    contact_id=contact.id, bloc_id=bloc.id, agency_id=agency_id, linked_at=now
                )
                uow.contacts.link(link)
            ids[user] = contact.id
        await uow.commit()
        return bloc.id, agencies, ids


async def labels(app: App) -> list[tuple[str, str]]:
    async with app.uow() as uow:
        found = await uow.session.execute(
            select(AuditEntry.field, AuditEntry.actor_label).order_by(AuditEntry.id)
        )
        return [(field, label) for field, label in found.all()]


async def test_a_score_change_and_the_announcement_name_the_person_and_agency(
    app: App, clock: FrozenClock
) -> None:
    bloc_id, agencies, ids = await people(app)
    scoring = app.services.scoring
    await scoring.answer(bloc_id, agencies["thue"], ids["u1"], [("I.1", Decimal(25))])
    await scoring.note(bloc_id, agencies["thue"], ids["u1"], "I.1", "báo cáo số 12")
    await app.services.results.publish(bloc_id, ids["u2"], results_in)
    clock.advance(timedelta(days=3))
    await app.services.results.announce(bloc_id, ids["u2"], results_in)

    assert await labels(app) == [
        ("self", f"Lan, {THUE}"),
        ("note", f"Lan, {THUE}"),
        ("results", f"Hoa, {NHNN}"),  # provisional
        ("final", f"Hoa, {NHNN}"),  # the head acted on another agency's sheet
        ("status", f"Hoa, {NHNN}"),
        ("results", f"Hoa, {NHNN}"),  # final
    ]


async def test_someone_of_no_agency_is_named_by_platform_id(app: App) -> None:
    bloc_id, agencies, ids = await people(app)
    answers = [("I.1", Decimal(20)), ("I.2", Decimal(8))]  # one statement, two entries

    await app.services.scoring.answer(bloc_id, agencies["thue"], ids["op"], answers)

    assert await labels(app) == [("self", "telegram:op"), ("self", "telegram:op")]
