"""Invite codes for agencies and for the bloc's group."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from bot.blocfile import load_bloc_file
from bot.cli import main
from bot.clock import FrozenClock
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


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``blocbot`` on the test database, in English, with neither Telegram nor Zalo set."""
    monkeypatch.setenv("BLOCBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BLOCBOT_LOCALE", "en")
    for variable in ("TELEGRAM_TOKEN", "TELEGRAM_BOT_USERNAME", "ZALO_TOKEN"):
        monkeypatch.delenv(f"BLOCBOT_{variable}", raising=False)
    assert main(["bloc", "import", str(SAMPLE)]) == 0


def test_invites_explain_zalo_when_it_is_configured(
    cli: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    monkeypatch.setenv("BLOCBOT_ZALO_TOKEN", "12345689:abc-xyz")

    assert main(["invites", "tw-thaibinh"]) == 0
    out = capsys.readouterr().out

    table, _blank, zalo = out.partition("\n\nOn Zalo")
    assert "thue " in table and "Zalo" not in table
    assert "search for its name in Zalo" in zalo and "QR code" in zalo
    assert "agency's code from the table as the first message" in zalo and "/start CODE" in zalo
    assert "@BotName /linkgroup CODE" in zalo
    assert "in beta" in zalo and "each contact directly" in zalo


def test_invites_say_nothing_of_zalo_without_its_token(
    cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()

    assert main(["invites", "tw-thaibinh"]) == 0

    assert "Zalo" not in capsys.readouterr().out
