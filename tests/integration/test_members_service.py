"""The bloc's contacts as the head sees them, one agency's new code, an operator's bloc, and
when a person last wrote (the people, members and invites services on the real database)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from bot.blocfile import load_bloc_file
from bot.clock import FrozenClock
from bot.services.invites import UnknownAgency
from tests.conftest import SAMPLE

BLOC = "tw-thaibinh"


async def _open(app: App, user_id: str, update_id: str) -> None:
    """Handle an update of ``user_id`` as the router opens it."""
    async with app.work() as work:
        opened = await work.people.open(
            platform="telegram",
            update_id=update_id,
            chat_id=user_id,
            user_id=user_id,
            name=user_id.title(),
            language_code="en",
            in_group=False,
        )
        assert opened is not None
        await work.commit()


async def _link(app: App, user_id: str, agency: str, update_id: str) -> None:
    codes = {line.agency_code: line.code for line in await app.invites.invites(BLOC)}
    await _open(app, user_id, update_id)
    person = await app.services.people.person("telegram", user_id)
    await app.services.enrolment.enrol(person, codes[agency])


async def _bloc_id(app: App) -> int:
    async with app.uow() as uow:
        bloc = await uow.blocs.get(BLOC)
        assert bloc is not None
        return bloc.id


@pytest.fixture
async def bloc_id(app: App) -> int:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    await _link(app, "hoa", "nhnn", "1")
    await _link(app, "lan", "thue", "2")
    await _link(app, "an", "thue", "3")
    return await _bloc_id(app)


async def test_the_roster_numbers_contacts_by_agency_with_last_activity(
    app: App, bloc_id: int, clock: FrozenClock
) -> None:
    clock.advance(timedelta(seconds=30))
    await _open(app, "lan", "4")  # within a minute: not written again
    clock.advance(timedelta(hours=2))
    await _open(app, "an", "5")

    roster = await app.services.members.roster(bloc_id)

    thue = next(agency for agency in roster.agencies if agency.code == "thue")
    assert [(m.number, m.name) for m in thue.members] == [(1, "Lan"), (2, "An")]
    assert thue.members[0].last_seen_at == clock.now() - timedelta(hours=2, seconds=30)
    assert thue.members[1].last_seen_at == clock.now()
    assert [m.name for m in roster.members] == ["Lan", "An", "Hoa"]
    assert roster.number(3) is not None and roster.number(4) is None


async def test_unlinking_drops_the_link_and_keeps_the_contact(app: App, bloc_id: int) -> None:
    roster = await app.services.members.roster(bloc_id)
    lan = roster.members[0]

    assert await app.services.members.unlink(bloc_id, lan.membership_id)
    assert not await app.services.members.unlink(bloc_id, lan.membership_id)

    person = await app.services.people.person("telegram", "lan")
    assert person is not None and person.links == ()
    names = [m.name for m in (await app.services.members.roster(bloc_id)).members]
    assert names == ["An", "Hoa"]


async def test_a_new_code_for_one_agency_revokes_only_its_own(app: App, bloc_id: int) -> None:
    before = {line.agency_code: line.code for line in await app.invites.invites(BLOC)}

    renewed = await app.invites.renew(bloc_id, "ThongKe")

    after = {line.agency_code: line.code for line in await app.invites.invites(BLOC)}
    assert renewed.revoked == before["thongke"]
    assert after["thongke"] == renewed.line.code != before["thongke"]
    assert {k: v for k, v in after.items() if k != "thongke"} == {
        k: v for k, v in before.items() if k != "thongke"
    }
    with pytest.raises(UnknownAgency):
        await app.invites.renew(bloc_id, "nope")


async def test_an_operator_choice_of_bloc_is_kept(app: App, bloc_id: int) -> None:
    await _open(app, "op", "6")
    person = await app.services.people.person("telegram", "op")
    assert person is not None

    assert await app.services.members.choose(person.contact_id, "nope") is None
    chosen = await app.services.members.choose(person.contact_id, BLOC)

    assert chosen is not None and chosen.bloc_id == bloc_id
    blocs = await app.services.members.blocs()
    assert [b.code for b in blocs] == [BLOC]
