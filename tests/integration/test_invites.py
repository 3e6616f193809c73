"""Invite codes for agencies and for the bloc's group."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from bot.clock import FrozenClock
from bot.services.blocfile import load_bloc_file
from bot.services.invites import ALPHABET, UnknownBloc, new_code
from tests.conftest import SAMPLE

LOOK_ALIKES = set("0O1IL5S2Z8B")


def test_codes_are_long_random_and_without_look_alikes() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) >= 10 for code in codes)
    assert not LOOK_ALIKES & set("".join(codes))
    assert set("".join(codes)) == set(ALPHABET)


async def test_one_code_per_agency_and_one_for_the_group(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))

    lines = await app.invites.invites("tw-thaibinh")

    agencies = [line.agency_code for line in lines if line.kind == "agency"]
    assert agencies == ["thongke", "khobac", "thue", "dutru", "nhnn", "bhxh", "haiquan", "qltt"]
    assert [line.kind for line in lines].count("group") == 1
    assert all(line.max_uses == 3 for line in lines if line.kind == "agency")
    assert all(line.expires_at == app.clock.now() + timedelta(days=60) for line in lines)
    assert len({line.code for line in lines}) == 9


async def test_printing_again_keeps_the_codes_and_rotate_replaces_them(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    first = {line.code for line in await app.invites.invites("tw-thaibinh")}

    again = {line.code for line in await app.invites.invites("tw-thaibinh")}
    rotated = {line.code for line in await app.invites.invites("tw-thaibinh", rotate=True)}

    assert again == first
    assert len(rotated) == 9 and not rotated & first
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        active = await uow.invites.active(bloc.id, app.clock.now())
        assert {invite.code for invite in active} == rotated


async def test_expired_codes_are_replaced(app: App, clock: FrozenClock) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    first = {line.code for line in await app.invites.invites("tw-thaibinh")}

    clock.advance(timedelta(days=61))
    later = {line.code for line in await app.invites.invites("tw-thaibinh")}

    assert not later & first


async def test_unknown_bloc(app: App) -> None:
    with pytest.raises(UnknownBloc):
        await app.invites.invites("khong-co")
