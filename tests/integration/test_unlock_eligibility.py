"""Unlocking a sheet after the deadline, a late sheet in the standings, and award eligibility
set in the chat or by the bloc file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.blocfile import load_bloc_file
from bot.domain.sheets import Closed
from bot.services.scoring import SheetClosed
from bot.services.sheet_admin import BeforeDeadline, ReasonRequired, UnknownAgency
from bot.storage.models import AuditEntry, OutboxMessage
from tests.conftest import SAMPLE
from tests.integration.test_results_service import Seeded, fill, seed

DEADLINE = datetime(2021, 11, 20, 10, 0, tzinfo=UTC)  # 17:00 in Thái Bình


def bloc_file(tmp_path: Path, extra: str) -> Path:
    """The sample bloc file with ``extra`` keys in its season."""
    text = SAMPLE.read_text(encoding="utf-8").replace("  deadlines:", f"{extra}  deadlines:", 1)
    path = tmp_path / "bloc.yaml"
    path.write_text(text, encoding="utf-8")
    return path


async def entries(app: App, field: str) -> list[tuple[str | None, str | None, str | None]]:
    """Old value, new value and reason of the audit entries about ``field``, in order."""
    async with app.uow() as uow:
        query = select(AuditEntry).where(AuditEntry.field == field).order_by(AuditEntry.seq)
        return [(e.old_value, e.new_value, e.reason) for e in await uow.session.scalars(query)]


async def with_late_rule(app: App, tmp_path: Path) -> Seeded:
    seeded = await seed(app)
    await app.blocs.import_bloc(load_bloc_file(bloc_file(tmp_path, "  late: {deduction: 2}\n")))
    return seeded


async def test_an_unlocked_sheet_is_answered_submitted_late_and_deducted(
    app: App, tmp_path: Path
) -> None:
    seeded = await with_late_rule(app, tmp_path)
    await fill(app, seeded, "nhnn", I_1="20")
    await fill(app, seeded, "thue", submit=False, I_1="20")
    app.clock.set(DEADLINE + timedelta(hours=1))  # type: ignore[attr-defined]
    thue = seeded.agencies["thue"]
    with pytest.raises(SheetClosed) as closed:
        await fill(app, seeded, "thue", I_1="20")
    assert closed.value.reason is Closed.DEADLINE

    done = await app.services.sheet_admin.unlock(seeded.bloc_id, "thue", None, None)
    assert done.until == app.clock.now() + timedelta(days=2)
    assert (done.old_until, done.reopened, done.told) == (None, False, 1)

    await fill(app, seeded, "thue", I_1="20")
    sheet = await app.services.scoring.sheet(seeded.bloc_id, thue)
    assert sheet.late and sheet.closed is Closed.SUBMITTED

    view = await app.services.results.standings(seeded.bloc_id)
    by_code = {p.agency.code: p for p in view.placings}
    assert by_code["thue"].late and by_code["thue"].total == Decimal(18)
    assert by_code["thue"].totals.late == Decimal(2)
    assert not by_code["nhnn"].late and by_code["nhnn"].total == Decimal(20)
    assert [p.agency.code for p in view.placings][:2] == ["nhnn", "thue"]

    unlock = await entries(app, "unlock")
    assert unlock == [(None, done.until.isoformat(), None)]
    assert len(await entries(app, "late")) == 1
    async with app.uow() as uow:
        keys = [m.dedupe_key or "" for m in await uow.session.scalars(select(OutboxMessage))]
    assert any(key.startswith("unlock:") for key in keys)


async def test_unlocking_a_submitted_sheet_makes_it_a_draft_again(
    app: App, tmp_path: Path
) -> None:
    seeded = await with_late_rule(app, tmp_path)
    await fill(app, seeded, "thue", I_1="20")
    app.clock.set(DEADLINE + timedelta(hours=1))  # type: ignore[attr-defined]
    until = DEADLINE + timedelta(days=1)
    done = await app.services.sheet_admin.unlock(seeded.bloc_id, "THUE", until, None)
    assert done.reopened and done.until == until
    sheet = await app.services.scoring.sheet(seeded.bloc_id, seeded.agencies["thue"])
    assert sheet.closed is None and sheet.submitted_at is None
    view = await app.services.results.standings(seeded.bloc_id)
    assert "thue" not in {p.agency.code for p in view.placings}


async def test_no_unlock_before_the_deadline_nor_of_an_unknown_agency(app: App) -> None:
    seeded = await seed(app)
    with pytest.raises(BeforeDeadline) as early:
        await app.services.sheet_admin.unlock(seeded.bloc_id, "thue", None, None)
    assert early.value.deadline == DEADLINE
    with pytest.raises(UnknownAgency) as unknown:
        await app.services.sheet_admin.unlock(seeded.bloc_id, "xyz", None, None)
    assert "thue" in unknown.value.known


async def test_an_ineligible_agency_is_ranked_and_skipped_for_awards(app: App) -> None:
    seeded = await seed(app)
    await fill(app, seeded, "nhnn", I_1="25")
    await fill(app, seeded, "thue", I_1="20")
    await fill(app, seeded, "khobac", I_1="10")
    with pytest.raises(ReasonRequired):
        await app.services.sheet_admin.set_eligibility(seeded.bloc_id, "nhnn", False, " ", None)
    change = await app.services.sheet_admin.set_eligibility(
        seeded.bloc_id, "nhnn", False, "Bị kỷ luật", seeded.contacts["nhnn"]
    )
    assert (change.old_eligible, change.eligible, change.reason) == (True, False, "Bị kỷ luật")

    view = await app.services.results.standings(seeded.bloc_id)
    first = view.placings[0]
    assert first.agency.code == "nhnn" and not first.eligible
    assert first.ineligible_reason == "Bị kỷ luật"
    assert [a.code for a in view.awards[0].agencies] == ["thue"]
    assert view.leader is not None and view.leader.code == "thue"

    again = await app.services.sheet_admin.set_eligibility(
        seeded.bloc_id, "nhnn", True, None, None
    )
    assert (again.old_eligible, again.old_reason, again.eligible) == (False, "Bị kỷ luật", True)
    audit = await entries(app, "eligibility")
    assert audit == [
        ("eligible", "ineligible", "Bị kỷ luật"),
        ("ineligible", "eligible", "Bị kỷ luật"),
    ]


async def test_the_bloc_file_lists_ineligible_agencies_and_the_chat_keeps_its_say(
    app: App, tmp_path: Path
) -> None:
    seeded = await seed(app)
    listed = "  ineligible:\n    - {agency: thue, reason: Bị kỷ luật}\n"
    report = await app.blocs.import_bloc(load_bloc_file(bloc_file(tmp_path, listed)))
    changed = [c for c in report.changes if c.what == "agency" and c.code == "thue"]
    assert changed and changed[0].fields[0].new is False
    overview = await app.services.sheet_admin.overview(seeded.bloc_id)
    thue = overview.find("thue")
    assert thue is not None and not thue.eligible and thue.ineligible_reason == "Bị kỷ luật"

    # The chat marks khobac ineligible; the file, imported again unchanged, leaves it so.
    await app.services.sheet_admin.set_eligibility(seeded.bloc_id, "khobac", False, "Nợ", None)
    again = await app.blocs.import_bloc(load_bloc_file(bloc_file(tmp_path, listed)))
    assert not [c for c in again.changes if c.what == "agency"]

    # Taken off the file's list: eligible again; khobac keeps what the chat set.
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    overview = await app.services.sheet_admin.overview(seeded.bloc_id)
    thue, khobac = overview.find("thue"), overview.find("khobac")
    assert thue is not None and thue.eligible and thue.ineligible_reason is None
    assert khobac is not None and not khobac.eligible
    assert len(await entries(app, "eligibility")) == 3
