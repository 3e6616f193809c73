"""The summary table as a workbook (bảng tổng hợp điểm, XLSX): the words and the layout.

The first sheet has one row per agency, the criteria as columns under their content groups
(each with the self, reviewed and final value), the group subtotals, the bonus (uncapped and
counted), the deductions, the total, the rank and how a tie was decided, the eligibility and
the award proposals; then one sheet per agency with its notes and its evidence. Values are
numbers, shown with as many decimals as the bloc's step; the header rows stay in view and the
pages print on A4 landscape. ``workbook`` is plain CPU work: async callers run it in a thread.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.criteria import GroupKind
from bot.handlers.tie_text import tie_notes
from bot.handlers.workbooks import number_format, stage_name
from bot.i18n import N_, _
from bot.services.exports import AgencyLine, ExportTable
from bot.timetext import when

HEAD_ROWS = (5, 6, 7)  # the rows of the column headers: groups, criteria, value kinds
FIRST_ROW = HEAD_ROWS[2] + 1  # the first agency's
FIXED = 3  # no., code, agency: the columns left of the criteria
VALUE_KINDS = (N_("Self-score"), N_("Reviewed"), N_("Final"))
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def workbook(table: ExportTable) -> bytes:
    """The summary table as the bytes of an XLSX file, in the current language."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Summary")
    _summary(sheet, table)
    for line in table.agencies:
        _agency_sheet(book.create_sheet(_sheet_title(line.code)), table, line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary(sheet: Worksheet, table: ExportTable) -> None:
    _title_rows(sheet, table, _("Summary table of scores"))
    fmt = number_format(table.table.step)
    top, middle, bottom = HEAD_ROWS
    headers = [_("No."), _("Code"), _("Agency")]
    for column, text in enumerate(headers, start=1):
        _head(sheet, top, column, text, rows=3)
    column = FIXED + 1
    for group in table.table.groups:
        start = column
        for criterion in group.items:
            _head(sheet, middle, column, criterion.code, columns=len(VALUE_KINDS))
            for offset, kind in enumerate(VALUE_KINDS):
                _head(sheet, bottom, column + offset, _(kind))
            column += len(VALUE_KINDS)
        _head(sheet, top, start, f"{group.code}. {group.title}", columns=column - start)
    totals_from = column
    for text in _total_headers(table):
        _head(sheet, top, column, text, rows=3)
        column += 1
    last_column = column - 1
    for index, line in enumerate(table.agencies):
        row = FIRST_ROW + index
        _agency_row(sheet, row, index + 1, line, table, fmt)
    awards_row = FIRST_ROW + len(table.agencies) + 1
    _award_lines(sheet, awards_row, table)
    _widths(sheet, totals_from, last_column)
    sheet.freeze_panes = sheet.cell(FIRST_ROW, FIXED + 1)
    _print_setup(sheet, table, f"{top}:{bottom}")


def _total_headers(table: ExportTable) -> list[str]:
    subtotals = [
        _("Subtotal {group}").format(group=group.code)
        for group in table.table.groups
        if group.kind is GroupKind.SCORE
    ]
    return [
        *subtotals,
        _("Base score"),
        _("Bonus points (before the cap)"),
        _("Bonus points counted"),
        _("Deduction points"),
        _("Late submission deduction"),
        _("Total score"),
        _("Rank"),
        _("How a tie was decided"),
        _("Eligible for awards"),
        _("Reason"),
        _("Award proposals"),
    ]


def _agency_row(
    sheet: Worksheet, row: int, number: int, line: AgencyLine, table: ExportTable, fmt: str
) -> None:
    cells: list[Any] = [number, line.code, line.name]
    for criterion in table.table.criteria():
        values = line.value(criterion.code)
        if values is None:
            cells += [None] * len(VALUE_KINDS)
        else:
            cells += [values.self_value, values.reviewed, values.final]
    placing = line.placing
    score_groups = [g.code for g in table.table.groups if g.kind is GroupKind.SCORE]
    if placing is None:
        cells += [None] * (len(score_groups) + 6)
        cells += [None, _("not ranked: no submitted sheet"), None, None, None]
    else:
        totals = placing.totals
        cells += [totals.groups.get(code) for code in score_groups]
        cells += [totals.base, totals.bonus_uncapped, totals.bonus, totals.deductions]
        cells += [totals.late if placing.late else None, totals.total, placing.rank]
        index = table.standings.placings.index(placing)
        notes = tie_notes(table.standings, index)
        if placing.shared and not notes:
            notes = [_("shared rank")]
        cells.append("; ".join(notes) or None)
        cells.append(_("Yes") if placing.eligible else _("No"))
        cells.append(placing.ineligible_reason if not placing.eligible else None)
        cells.append(_proposals(table, line.code) or None)
    for column, value in enumerate(cells, start=1):
        cell = sheet.cell(row, column, _cell_value(value))
        cell.border = _BOX
        if isinstance(value, Decimal):
            cell.number_format = fmt
        elif isinstance(value, str) and column > FIXED:
            cell.alignment = _WRAP


def _cell_value(value: Any) -> Any:
    """Numbers as numbers: a whole Decimal as an int, any other as a float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _proposals(table: ExportTable, code: str) -> str:
    """The awards the agency is proposed for, and whether it leads the bloc."""
    found = [award.title for award in table.standings.awards if code in _codes(award.agencies)]
    leader = table.standings.leader
    if leader is not None and leader.code == code:
        found.insert(0, _("leading unit"))
    return "; ".join(found)


def _codes(agencies: Sequence[Any]) -> set[str]:
    return {agency.code for agency in agencies}


def _award_lines(sheet: Worksheet, row: int, table: ExportTable) -> None:
    """Below the table: each award with the agencies proposed, and a tie the bloc decides."""
    sheet.cell(row, 1, _("Award proposals")).font = _BOLD
    for award in table.standings.awards:
        row += 1
        names = ", ".join(agency.name for agency in award.agencies) or _("none")
        text = _("{award} ({count}): {agencies}").format(
            award=award.title, count=award.count, agencies=names
        )
        if award.tied:
            tied = ", ".join(agency.name for agency in award.tied)
            text += " — " + _("tied at rank {rank}, the bloc decides: {agencies}").format(
                rank=award.tie_rank, agencies=tied
            )
        if award.ballot is not None:
            text += " — " + _("decided by secret ballot no. {number}").format(
                number=award.ballot.id
            )
        sheet.cell(row, 1, text)


def _agency_sheet(sheet: Worksheet, table: ExportTable, line: AgencyLine) -> None:
    """One agency's notes (its own and the reviewer's) and evidence, by criterion."""
    _title_rows(sheet, table, f"{line.code} — {line.name}")
    row = HEAD_ROWS[0]
    headers = (_("Criterion"), _("What"), _("Content"), _("Caption"), _("Added at"))
    for column, text in enumerate(headers, start=1):
        _head(sheet, row, column, text)
    for criterion in table.table.criteria():
        values = line.value(criterion.code)
        notes: list[tuple[str, str, str | None, str | None]] = []
        if values is not None and values.note:
            notes.append((_("Agency's note"), values.note, None, None))
        if values is not None and values.reviewed_reason:
            notes.append((_("Reviewer's reason"), values.reviewed_reason, None, None))
        for piece in line.evidence:
            if piece.code == criterion.code:
                kind = _("Evidence file") if piece.kind == "file" else _("Evidence link")
                notes.append(
                    (kind, piece.name, piece.caption, when(piece.added_at, table.timezone))
                )
        for what, content, caption, added in notes:
            row += 1
            for place, value in enumerate((criterion.code, what, content, caption, added), 1):
                cell = sheet.cell(row, place, value)
                cell.border = _BOX
                cell.alignment = _WRAP
    if row == HEAD_ROWS[0]:
        sheet.cell(row + 1, 1, _("No notes and no evidence."))
    for letter, width in zip("ABCDE", (10, 20, 60, 40, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(HEAD_ROWS[0] + 1, 1)
    _print_setup(sheet, table, f"{HEAD_ROWS[0]}:{HEAD_ROWS[0]}")


def _title_rows(sheet: Worksheet, table: ExportTable, title: str) -> None:
    """The bloc, the year, the stage of the results and when the file was produced."""
    sheet.cell(1, 1, title).font = _TITLE
    sheet.cell(2, 1, _("{bloc}, year {year}").format(bloc=table.bloc_name, year=table.year))
    stage = stage_name(table)
    produced = when(table.produced_at, table.timezone)
    sheet.cell(3, 1, _("{stage}; produced on {time}").format(stage=stage, time=produced))


def _head(
    sheet: Worksheet, row: int, column: int, text: str, *, rows: int = 1, columns: int = 1
) -> None:
    cell = sheet.cell(row, column, text)
    cell.font = _BOLD
    cell.alignment = _CENTER
    cell.fill = _HEAD_FILL
    cell.border = _BOX
    if rows > 1 or columns > 1:
        sheet.merge_cells(
            start_row=row,
            start_column=column,
            end_row=row + rows - 1,
            end_column=column + columns - 1,
        )


def _widths(sheet: Worksheet, totals_from: int, last: int) -> None:
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 36
    for column in range(FIXED + 1, last + 1):
        wide = column >= totals_from
        sheet.column_dimensions[get_column_letter(column)].width = 14 if wide else 9
    for column in range(last - 3, last + 1):  # tie, eligible, reason, awards: words
        sheet.column_dimensions[get_column_letter(column)].width = 30
    sheet.row_dimensions[HEAD_ROWS[0]].height = 45
    sheet.row_dimensions[HEAD_ROWS[2]].height = 30  # "Thẩm định", "Chính thức": two lines


def _print_setup(sheet: Worksheet, table: ExportTable, title_rows: str) -> None:
    """A4 landscape, one page wide, the header rows on every page, the bloc in the header."""
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.oddHeader.center.text = f"{table.bloc_name} — {table.year}"
    sheet.oddFooter.right.text = "&P / &N"


def _sheet_title(code: str) -> str:
    """A sheet's name from an agency's code: no characters Excel refuses, at most 31."""
    return _SHEET_NAME.sub("_", code)[:31] or "_"
