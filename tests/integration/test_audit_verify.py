"""``blocbot audit verify``: the trail the bot wrote holds; one edited or cut by hand does not."""

from __future__ import annotations

from argparse import Namespace
from decimal import Decimal

import pytest
from sqlalchemy import text

from bot.app import App
from bot.cli import audit_verify
from bot.domain.audit import BreakKind
from bot.i18n import use_locale
from bot.storage.models import Contact
from tests.integration.test_audit_label import people

BLOC = "tw-thaibinh"


async def scored(app: App) -> None:
    """Lan answers three criteria, changes one, writes a note and submits nothing."""
    bloc_id, agencies, ids = await people(app)
    scoring = app.services.scoring
    answers = [("I.1", Decimal(20)), ("I.2", Decimal("8.5")), ("I.3", Decimal(4))]
    await scoring.answer(bloc_id, agencies["thue"], ids["u1"], answers)
    await scoring.answer(bloc_id, agencies["thue"], ids["u1"], [("I.1", Decimal(25))])
    await scoring.note(bloc_id, agencies["thue"], ids["u1"], "I.1", "báo cáo số 12")


async def verified(
    app: App, capsys: pytest.CaptureFixture[str], bloc: str = BLOC
) -> tuple[int, str]:
    """What the command line says (in English) and its exit status."""
    with use_locale("en"):
        status = await audit_verify(app, Namespace(bloc=bloc))
    output = capsys.readouterr()
    return status, output.out + output.err


async def tamper(app: App, statement: str) -> None:
    async with app.uow() as uow:
        await uow.session.execute(text(statement))
        await uow.commit()


async def test_the_trail_the_bot_wrote_is_intact(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    await scored(app)

    status, said = await verified(app, capsys)

    assert status == 0
    assert said == "Audit trail of bloc tw-thaibinh: 5 entries, intact.\n"


async def test_a_value_edited_by_hand_is_found(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    await scored(app)
    await tamper(app, "UPDATE audit_log SET new_value='30' WHERE seq = 4")  # I.1: 20 → 25

    check = await app.history.verify(BLOC)
    status, said = await verified(app, capsys)

    [found] = check.breaks
    assert (found.kind, found.seq) == (BreakKind.EDITED, 4)
    assert status == 1
    assert "5 entries, broken in 1 place:" in said
    assert f"Entry 4 (id {found.entry_id}) was changed after it was written." in said


@pytest.mark.parametrize(
    ("removed", "says"),
    [
        (
            "seq = (SELECT max(seq) FROM audit_log)",
            "The newest entries were removed: the bloc's last entry is place 5, "
            "the log ends at 4.",
        ),
        ("seq IN (2, 3)", "Entries 2 to 3 are missing: the log goes on with entry id "),
        ("seq = 2", "Entry 2 is missing: the log goes on with entry id "),
    ],
)
async def test_entries_deleted_by_hand_are_found(
    app: App, capsys: pytest.CaptureFixture[str], removed: str, says: str
) -> None:
    await scored(app)
    await tamper(app, f"DELETE FROM audit_log WHERE {removed}")

    status, said = await verified(app, capsys)

    assert status == 1
    assert says in said


async def test_an_unknown_bloc_is_one_sentence(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    status, said = await verified(app, capsys, "tw-namdinh")

    assert status == 1
    assert said == "No bloc has the code tw-namdinh. See: blocbot bloc list\n"


async def test_a_trail_of_names_and_notes_in_any_characters_is_intact(app: App) -> None:
    """On PostgreSQL the server hashes the usual entry: its text must be Python's, byte for
    byte, whatever the writer's name and the note hold."""
    bloc_id, agencies, ids = await people(app)
    odd = 'Hoa "Tổ 1" \\ C:\\ \n\t\x01 %s 😀 ‘Thuế’'
    async with app.uow() as uow:
        lan = await uow.session.get(Contact, ids["u1"])
        assert lan is not None
        lan.display_name = odd
        await uow.commit()
    scoring = app.services.scoring
    await scoring.answer(bloc_id, agencies["thue"], ids["u1"], [("I.1", Decimal(20))])
    await scoring.note(bloc_id, agencies["thue"], ids["u1"], "I.1", odd)
    await scoring.answer(bloc_id, agencies["thue"], ids["op"], [("I.2", Decimal("8.5"))])

    check = await app.history.verify(BLOC)

    assert check.intact and check.last_seq == check.head_seq == 3
    async with app.uow() as uow:
        found = await uow.session.execute(text("SELECT actor_label FROM audit_log ORDER BY seq"))
        assert [label for (label,) in found] == [
            f"{odd}, Cục Thuế tỉnh Thái Bình",
            f"{odd}, Cục Thuế tỉnh Thái Bình",
            "telegram:op",
        ]
