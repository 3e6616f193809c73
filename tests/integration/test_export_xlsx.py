"""The summary table of scores as a workbook: every agency's values, totals, rank and
eligibility as the standings have them, numbers as numbers, headers frozen, A4 landscape; /export
sends it to the head and refuses a plain member."""

from __future__ import annotations

import io
import pickle
from datetime import timedelta
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.app import App
from bot.clock import FrozenClock
from bot.domain.criteria import GroupKind
from bot.handlers.announce import results_in
from bot.handlers.export_xlsx import FIRST_ROW, HEAD_ROWS, workbook
from bot.handlers.model import AttachmentKind, ChatKind, Incoming, Sender
from bot.handlers.rendering import portable, rendered
from bot.i18n import use_locale
from bot.services.exports import ExportTable
from tests.integration.test_results_service import Seeded, fill, review, seed


async def scenario(app: App, clock: FrozenClock) -> Seeded:
    """thue and khobac tie on 20 (khobac ahead: fewer deductions); nhnn's bonus of 8 is capped
    at 5 and its I.1 reviewed from 10 to 9.5, and it is not eligible; thue has evidence."""
    seeded = await seed(app)
    await fill(app, seeded, "thue", submit=False, I_1="20")
    link = "https://example.org/bao-cao"
    thue = seeded.agencies["thue"]
    await app.services.evidence.add_link(
        seeded.bloc_id, thue, seeded.contacts["thue"], "I.1", link, "Báo cáo năm"
    )
    await fill(app, seeded, "thue", I_1="20", II_1="1", D_1="1")
    clock.advance(timedelta(minutes=5))
    await fill(app, seeded, "khobac", I_1="20")
    await fill(app, seeded, "nhnn", I_1="10", B_1="5", B_2="3")
    await review(app, seeded, "nhnn", "I.1", "9.5")
    head = seeded.contacts["nhnn"]
    await app.services.sheet_admin.set_eligibility(
        seeded.bloc_id, "nhnn", False, "disciplined in 2021", head
    )
    return seeded


def opened(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def columns(sheet: Worksheet) -> dict[str, int]:
    """Each header of the summary sheet by its column: the criteria's codes and the others."""
    found: dict[str, int] = {}
    for row in HEAD_ROWS[:2]:
        for cell in sheet[row]:
            if isinstance(cell.value, str):
                found.setdefault(cell.value, cell.column)
    return found


def check(sheet: Worksheet, table: ExportTable) -> None:
    """Every agency's cells against the table's values and the standings."""
    heads = columns(sheet)
    rows = {sheet.cell(row, 2).value: row for row in range(FIRST_ROW, FIRST_ROW + 8)}
    assert set(rows) == {line.code for line in table.agencies}
    for line in table.agencies:
        row = rows[line.code]
        for criterion in table.table.criteria():
            values = line.value(criterion.code)
            got = [sheet.cell(row, heads[criterion.code] + k).value for k in range(3)]
            want = [None] * 3
            if values is not None:
                want = [values.self_value, values.reviewed, values.final]
            assert got == want, (line.code, criterion.code)
            assert all(isinstance(v, int | float) for v in got if v is not None)
        placing = line.placing
        if placing is None:
            assert sheet.cell(row, heads["Total score"]).value is None
            continue
        totals = placing.totals
        for group in table.table.groups:
            if group.kind is GroupKind.SCORE:
                cell = sheet.cell(row, heads[f"Subtotal {group.code}"])
                assert cell.value == totals.groups[group.code]
        uncapped = sheet.cell(row, heads["Bonus points (before the cap)"])
        assert uncapped.value == totals.bonus_uncapped
        assert sheet.cell(row, heads["Bonus points counted"]).value == totals.bonus
        assert sheet.cell(row, heads["Deduction points"]).value == totals.deductions
        total = sheet.cell(row, heads["Total score"])
        assert total.value == placing.total and total.data_type == "n"
        assert total.number_format == "0.0"  # the step is 0.5
        assert sheet.cell(row, heads["Rank"]).value == placing.rank
        eligible = sheet.cell(row, heads["Eligible for awards"]).value
        assert eligible == ("Yes" if placing.eligible else "No")
        assert sheet.cell(row, heads["Reason"]).value == placing.ineligible_reason


async def test_the_workbook_holds_every_agency_as_the_standings_do(
    app: App, clock: FrozenClock
) -> None:
    seeded = await scenario(app, clock)
    table = await app.services.exports.table("tw-thaibinh")
    with use_locale("en"):
        book = opened(workbook(table))
    sheet = book["Summary"]

    standings = await app.services.results.standings(seeded.bloc_id)
    assert [(p.agency.code, p.total, p.rank) for p in standings.placings] == [
        ("khobac", 20, 1),
        ("thue", 20, 2),
        ("nhnn", Decimal("14.5"), 3),
    ]
    assert table.standings == standings
    check(sheet, table)
    heads = columns(sheet)
    rows = {sheet.cell(row, 2).value: row for row in range(FIRST_ROW, FIRST_ROW + 8)}
    nhnn, thue = rows["nhnn"], rows["thue"]
    assert [sheet.cell(nhnn, heads["I.1"] + k).value for k in range(3)] == [10, 9.5, None]
    assert sheet.cell(nhnn, heads["Bonus points (before the cap)"]).value == 8
    assert sheet.cell(nhnn, heads["Bonus points counted"]).value == 5
    assert sheet.cell(nhnn, heads["Reason"]).value == "disciplined in 2021"
    assert sheet.cell(thue, heads["Deduction points"]).value == 1
    tie = sheet.cell(thue, heads["How a tie was decided"]).value
    assert tie == "behind Kho bạc Nhà nước Thái Bình: more deduction points (1 vs 0)"
    assert sheet.cell(rows["khobac"], heads["Award proposals"]).value.startswith("leading unit")
    assert sheet["A1"].value == "Summary table of scores"
    assert sheet["A2"].value.endswith(", year 2021")
    assert sheet["A3"].value == "results not published yet; produced on 10/11/2021 09:05"

    assert sheet.freeze_panes == f"D{FIRST_ROW}"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.print_title_rows == "$5:$7"
    evidence = book["thue"]
    lines = [[c.value for c in row] for row in evidence.iter_rows(min_row=HEAD_ROWS[0] + 1)]
    assert ["I.1", "Evidence link", "https://example.org/bao-cao", "Báo cáo năm"] in [
        line[:4] for line in lines
    ]
    assert evidence.page_setup.orientation == "landscape"

    head = seeded.contacts["nhnn"]
    await app.services.results.publish(seeded.bloc_id, head, results_in)
    clock.advance(timedelta(days=3))
    await app.services.results.announce(seeded.bloc_id, head, results_in)
    final = await app.services.exports.table(seeded.bloc_id, 2021)
    with use_locale("en"):
        sheet = opened(workbook(final))["Summary"]
    assert final.final and sheet["A3"].value.startswith("final results; produced on ")
    check(sheet, final)
    assert [sheet.cell(nhnn, heads["I.1"] + k).value for k in range(3)] == [10, 9.5, 9.5]


async def test_the_workbook_is_written_apart_from_the_bot_the_same(
    app: App, clock: FrozenClock
) -> None:
    await scenario(app, clock)
    table = await app.services.exports.table("tw-thaibinh")
    assert pickle.loads(pickle.dumps(table)) == table
    assert portable(workbook, (table,))  # so it goes to the drawing process, not a thread
    with use_locale("en"):
        data = await rendered(workbook, table)
    check(opened(data)["Summary"], table)


async def test_export_sends_the_head_a_document_and_refuses_a_member(
    app: App, clock: FrozenClock
) -> None:
    await scenario(app, clock)
    head = Sender("u0", language_code="en")  # nhnn's contact: the bloc's head
    asked = Incoming("telegram", "x-1", "u0", ChatKind.PRIVATE, head, text="/export 2021")
    replies = await app.router.handle(asked)

    (message,) = replies.messages
    (sent,) = message.attachments
    assert sent.kind is AttachmentKind.DOCUMENT
    assert sent.filename.endswith("-tw-thaibinh-2021.xlsx") and sent.data is not None
    assert "8 đơn vị, 3 đơn vị được xếp hạng" in message.text  # the contact speaks Vietnamese
    assert set(opened(sent.data).sheetnames) >= {"thue", "khobac", "nhnn"}

    member = Sender("u1")  # thue's contact
    refused = await app.router.handle(
        Incoming("telegram", "x-2", "u1", ChatKind.PRIVATE, member, text="/export")
    )
    assert [m.attachments for m in refused.messages] == [()]
    refusal = "Only the bloc head, deputies or operators can use /export."  # thue's: English
    assert refusal in refused.messages[0].text

    wrong = await app.router.handle(
        Incoming("telegram", "x-3", "u0", ChatKind.PRIVATE, head, text="/export next year")
    )
    assert "không phải là năm" in wrong.messages[0].text
