"""Importing a bloc file into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.blocfile import BlocFileError, BlocSpec, load_bloc_file, parse_bloc
from bot.domain.audit import AuditFacts
from bot.domain.criteria import CriterionKind
from bot.domain.rules import Award, TieBreak, TieBreakKind
from bot.domain.year import PictureKind, SeasonRules
from bot.i18n import use_locale
from bot.import_text import describe_change
from bot.services.blocs import Action, ClosingDeadline, ImportRefused, RefusalReason
from bot.services.people import Role
from bot.storage.models import (
    Agency,
    Base,
    CriterionRow,
    Event,
    OutboxMessage,
    ScoreEntry,
    ScoreSheet,
    Season,
    SeasonMember,
)
from tests.conftest import SAMPLE
from tests.unit.blocfile_cases import broken_variants, dump, sample_data


def spec_of(data: dict[str, Any]) -> BlocSpec:
    return parse_bloc(dump(data))


async def row_counts(app: App) -> dict[str, int]:
    async with app.uow() as uow:
        return {
            table.name: await uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


async def give_score(app: App, agency: str, criterion: str, value: str) -> None:
    """Put a self-score on an agency's sheet, as the chat will."""
    async with app.uow() as uow:
        session: AsyncSession = uow.session
        season = await session.scalar(select(Season))
        assert season is not None
        agency_row = await session.scalar(select(Agency).where(Agency.code == agency))
        criterion_row = await session.scalar(
            select(CriterionRow).where(CriterionRow.code == criterion)
        )
        assert agency_row and criterion_row
        now = app.clock.now()
        sheet = ScoreSheet(
            season_id=season.id, agency_id=agency_row.id, created_at=now, updated_at=now
        )
        session.add(sheet)
        await session.flush()
        session.add(
            ScoreEntry(
                sheet_id=sheet.id,
                criterion_id=criterion_row.id,
                self_value=Decimal(value),
                updated_at=now,
            )
        )
        await uow.audit.append(
            season.bloc_id,
            [
                AuditFacts(
                    at=now,
                    field="self",
                    new_value=value,
                    actor_label="test",
                    season_id=season.id,
                    sheet_id=sheet.id,
                    agency_id=agency_row.id,
                    criterion_id=criterion_row.id,
                )
            ],
        )
        await uow.commit()


async def test_sample_imports_whole_bloc(app: App) -> None:
    report = await app.blocs.import_bloc(load_bloc_file(SAMPLE))

    assert report.bloc_code == "tw-thaibinh" and report.year == 2021
    added = {(c.what, c.code) for c in report.changes if c.action is Action.ADDED}
    assert ("bloc", "tw-thaibinh") in added and ("criterion", "IV.1") in added
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None and len(bloc.agencies) == 8
        season = await uow.seasons.get(bloc.id, 2021)
        assert season is not None
        assert [g.code for g in season.groups] == [
            "I",
            "II",
            "III",
            "IV",
            "V",
            "VI",
            "VII",
            "B",
            "D",
        ]
        assert len(season.criteria) == 17
        assert season.step == Decimal("0.5")
        assert season.tie_break == ["group:I", "deductions", "submitted_at"]
        roles = {m.agency.code: m.role for m in season.members}
        assert (
            roles["nhnn"] == "head" and roles["thongke"] == "deputy" and roles["thue"] == "member"
        )
        bonus = next(g for g in season.groups if g.code == "B")
        assert bonus.kind == "bonus" and bonus.cap == Decimal(5)
        assert [e.code for e in season.events] == ["ky-giao-uoc", "self-score", "tong-ket"]
        deadline = next(e for e in season.events if e.code == "self-score")
        assert deadline.at.isoformat() == "2021-11-20T10:00:00+00:00"  # 17:00 in Hà Nội
        assert deadline.closes_scoring


async def test_second_import_changes_nothing(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    before = await row_counts(app)

    report = await app.blocs.import_bloc(load_bloc_file(SAMPLE))

    assert report.changes == ()
    assert await row_counts(app) == before


async def test_changed_title_and_max_update_in_place(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    data = sample_data()
    data["season"]["criteria"][0]["items"][0].update(title="Chỉ tiêu chuyên môn", max=30)
    data["agencies"][2]["name"] = "Thuế tỉnh Thái Bình"

    report = await app.blocs.import_bloc(spec_of(data))

    described = {(c.what, c.code, c.fields) for c in report.changes}
    assert (
        "agency",
        "thue",
        (("name", "Cục Thuế tỉnh Thái Bình", "Thuế tỉnh Thái Bình"),),
    ) in described
    assert (
        "criterion",
        "I.1",
        (
            ("title", "Hoàn thành các chỉ tiêu, nhiệm vụ chuyên môn năm", "Chỉ tiêu chuyên môn"),
            ("max", Decimal(25), Decimal(30)),
        ),
    ) in described
    async with app.uow() as uow:
        rows = (
            await uow.session.scalars(select(CriterionRow).where(CriterionRow.code == "I.1"))
        ).all()
        assert len(rows) == 1 and rows[0].max == Decimal(30)


async def test_new_criterion_added_and_unscored_one_removed(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    data = sample_data()
    items = data["season"]["criteria"][0]["items"]
    items.pop()  # I.3
    items.append({"code": "I.4", "title": "Cải thiện chỉ số PCI", "max": 5})

    report = await app.blocs.import_bloc(spec_of(data))

    assert {(c.action, c.code) for c in report.changes} == {
        (Action.REMOVED, "I.3"),
        (Action.ADDED, "I.4"),
    }


async def test_refuses_to_remove_scored_criterion_and_agency(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    await give_score(app, "thue", "I.3", "4")
    before = await row_counts(app)
    data = sample_data()
    data["season"]["criteria"][0]["items"].pop()  # I.3, scored by thue
    data["agencies"] = [a for a in data["agencies"] if a["code"] != "thue"]

    with pytest.raises(ImportRefused) as refused:
        await app.blocs.import_bloc(spec_of(data))

    found = {(r.what, r.code, r.sheets, r.reason) for r in refused.value.refusals}
    assert found == {
        ("criterion", "I.3", 1, RefusalReason.REMOVED_WITH_SCORES),
        ("agency", "thue", 1, RefusalReason.REMOVED_WITH_SCORES),
    }
    assert await row_counts(app) == before


async def test_refuses_max_below_a_given_score(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    await give_score(app, "khobac", "I.1", "24")
    data = sample_data()
    data["season"]["criteria"][0]["items"][0]["max"] = 20

    with pytest.raises(ImportRefused) as refused:
        await app.blocs.import_bloc(spec_of(data))

    (refusal,) = refused.value.refusals
    assert (refusal.code, refusal.reason, refusal.highest) == (
        "I.1",
        RefusalReason.MAX_BELOW_SCORES,
        Decimal(24),
    )


async def test_criterion_moves_between_groups_and_roles_rotate(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    data = sample_data()
    moved = data["season"]["criteria"][0]["items"].pop()  # I.3
    data["season"]["criteria"][1]["items"].append(moved)
    data["season"]["head"] = "thue"
    data["season"]["deputies"] = ["nhnn"]

    await app.blocs.import_bloc(spec_of(data))

    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        season = await uow.seasons.get(bloc.id, 2021)
        assert season is not None
        group_ii = next(g for g in season.groups if g.code == "II")
        assert [c.code for c in group_ii.items] == ["II.1", "II.2", "I.3"]
        roles = {m.agency.code: m.role for m in season.members}
        assert (roles["thue"], roles["nhnn"], roles["thongke"]) == ("head", "deputy", "member")
    report = await app.blocs.import_bloc(spec_of(data))
    assert report.changes == ()


async def test_removed_meeting_goes_but_a_chat_event_stays(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    async with app.uow() as uow:
        season = await uow.session.scalar(select(Season))
        assert season is not None
        uow.session.add(
            Event(
                season_id=season.id,
                kind="meeting",
                code="so-ket",
                title="Sơ kết",
                at=app.clock.now(),
                remind=[],
                source="chat",
            )
        )
        await uow.commit()
    data = sample_data()
    data["season"]["meetings"].pop(0)

    report = await app.blocs.import_bloc(spec_of(data))

    assert [(c.action, c.code) for c in report.changes] == [(Action.REMOVED, "ky-giao-uoc")]
    async with app.uow() as uow:
        codes = set((await uow.session.scalars(select(Event.code))).all())
    assert codes == {"self-score", "tong-ket", "so-ket"}


@pytest.mark.parametrize("name", sorted(broken_variants()))
async def test_broken_file_names_the_path_and_writes_nothing(app: App, name: str) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    before = await row_counts(app)
    text, path = broken_variants()[name]

    with pytest.raises(BlocFileError) as error:
        await app.blocs.import_bloc(parse_bloc(text))

    assert path in {problem.path for problem in error.value.problems}
    assert await row_counts(app) == before


async def test_season_members_follow_agencies(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    data = sample_data()
    data["agencies"] = [a for a in data["agencies"] if a["code"] != "qltt"]

    report = await app.blocs.import_bloc(spec_of(data))

    assert [(c.action, c.what, c.code) for c in report.changes] == [
        (Action.REMOVED, "agency", "qltt")
    ]
    async with app.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(SeasonMember))
    assert count == 7


async def test_an_event_moved_in_the_file_reminds_again_and_drops_its_old_reminders(
    app: App,
) -> None:
    from bot.storage.repositories.outbox import NewMessage

    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    async with app.uow() as uow:
        event = await uow.session.scalar(select(Event).where(Event.code == "self-score"))
        assert event is not None
        event_id, version = event.id, event.version
        await uow.outbox.enqueue(
            [NewMessage("telegram", "1", "old reminder", app.clock.now(), event_id=event_id)],
            app.clock.now(),
        )
        await uow.commit()
    data = sample_data()
    data["season"]["deadlines"][0]["due"] = "2021-11-25 17:00"

    await app.blocs.import_bloc(spec_of(data))

    async with app.uow() as uow:
        moved = await uow.session.scalar(select(Event.version).where(Event.id == event_id))
        status = await uow.session.scalar(select(OutboxMessage.status))
    assert moved == version + 1
    assert status == "cancelled"


async def test_changes_carry_typed_values(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    data = sample_data()
    season = data["season"]
    season["scoring"].update(step=0.25, tie_break=["group:I", "submitted_at"])
    season["scoring"]["awards"][1]["count"] = 3
    season["deputies"] = ["thue"]
    season["criteria"][2]["items"][0]["kind"] = "yesno"  # III.1
    season["deadlines"][0].update(due="2021-11-25 17:00", remind=["3d", "30m"])

    report = await app.blocs.import_bloc(spec_of(data))

    fields = {(c.what, c.code, f.name): (f.old, f.new) for c in report.changes for f in c.fields}
    assert fields[("season", "2021", "step")] == (Decimal("0.5"), Decimal("0.25"))
    group_i = TieBreak(TieBreakKind.GROUP, "I")
    assert fields[("season", "2021", "tie_break")] == (
        (group_i, TieBreak(TieBreakKind.DEDUCTIONS), TieBreak(TieBreakKind.SUBMITTED_AT)),
        (group_i, TieBreak(TieBreakKind.SUBMITTED_AT)),
    )
    assert fields[("season", "2021", "awards")][1][1] == Award(
        "Bằng khen của Chủ tịch UBND tỉnh", 3
    )
    assert fields[("role", "thue", "role")] == (Role.MEMBER, Role.DEPUTY)
    assert fields[("criterion", "III.1", "kind")] == (CriterionKind.SCORE, CriterionKind.YESNO)
    assert fields[("event", "self-score", "at")] == (
        datetime(2021, 11, 20, 10, 0, tzinfo=UTC),
        datetime(2021, 11, 25, 10, 0, tzinfo=UTC),
    )
    assert fields[("event", "self-score", "remind")][1] == (
        timedelta(days=3),
        timedelta(minutes=30),
    )


async def test_pictures_asked_for_are_kept_and_reported_old_and_new(app: App) -> None:
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    data = sample_data()
    data["season"]["pictures"] = ["results", "standings"]

    report = await app.blocs.import_bloc(spec_of(data))

    with use_locale("en"):
        lines = [line for change in report.changes for line in describe_change(change, "UTC")]
    assert lines == ["~ season 2021", "    Pictures in the group: none → standings, results"]
    async with app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        season = await uow.seasons.latest(bloc.id)
        assert season is not None
        pictures = SeasonRules.from_json(season.rules).pictures
    assert pictures == (PictureKind.STANDINGS, PictureKind.RESULTS)


async def test_moving_the_scoring_deadline_into_the_past_is_reported(app: App) -> None:
    first = await app.blocs.import_bloc(load_bloc_file(SAMPLE))  # due 20/11/2021, now 10/11
    data = sample_data()
    data["season"]["deadlines"][0]["due"] = "2021-11-05 17:00"

    moved = await app.blocs.import_bloc(spec_of(data))
    again = await app.blocs.import_bloc(spec_of(data))

    assert first.closing_in_past is None
    assert moved.closing_in_past == ClosingDeadline(
        "self-score",
        "Gửi bảng tự chấm điểm về Trưởng khối",
        datetime(2021, 11, 5, 10, 0, tzinfo=UTC),
    )
    assert again.changes == () and again.closing_in_past is None


async def test_a_deadline_that_starts_closing_scoring_in_the_past_is_reported(app: App) -> None:
    data = sample_data()
    deadlines = data["season"]["deadlines"]
    deadlines[0]["closes_scoring"] = False
    deadlines.append(
        {"code": "nop-som", "title": "Nộp sớm", "due": "2021-11-01 17:00", "remind": ["1d"]}
    )
    await app.blocs.import_bloc(spec_of(data))
    deadlines[1]["closes_scoring"] = True

    report = await app.blocs.import_bloc(spec_of(data))

    assert report.closing_in_past is not None and report.closing_in_past.code == "nop-som"
