"""The self-score sheet as a workbook to fill in (bảng tự chấm điểm, XLSX): writing the blank
(or current) sheet, and reading a filled one back.

One sheet: the bloc, the agency and the year on top (read back to refuse another agency's or
year's file), then one row per criterion: group, code, title, maximum, kind, the current value,
the input column (the only one read back) and the note. Reading refuses what is not a plain
XLSX of a reasonable size, and any formula or macro, before a single value is taken: a refusal
names its reason and, for a formula, its cell. Both are plain CPU work: async callers run them
in a thread. The values are checked by the caller, exactly as typed lines are.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from bot.domain.criteria import CriterionKind
from bot.handlers.workbooks import XLSX, number_format
from bot.i18n import N_, _
from bot.services.scoring import SheetView

CONTENT_TYPE = XLSX
MAX_BYTES = 1_000_000  # 1 MB: a sheet of criteria is a few kilobytes
MAX_UNPACKED = 20_000_000  # what the zip may unpack to: no zip bombs
BLOC_CELL, AGENCY_CELL, YEAR_CELL = "B2", "B3", "B4"
HEAD_ROW = 7
FIRST_ROW = HEAD_ROW + 1
CODE_COLUMN, INPUT_COLUMN = 2, 7  # B: the criterion's code; G: the score the agency gives
_ZIP = b"PK\x03\x04"
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
# What a phone or a mail program may call an Excel workbook (parameters and case aside).
MACRO_TYPES = frozenset(
    {
        "application/vnd.ms-excel.sheet.macroenabled.12",
        "application/vnd.ms-excel.template.macroenabled.12",
        "application/vnd.ms-excel.addin.macroenabled.12",
    }
)
# Types that say nothing of the content: a file of one of them, with no suffix, is looked into.
UNSAID_TYPES = frozenset(
    {"", "application/octet-stream", "application/zip", "binary/octet-stream"}
)
KINDS = {
    CriterionKind.SCORE: N_("score"),
    CriterionKind.BONUS: N_("bonus points"),
    CriterionKind.DEDUCTION: N_("deduction points"),
    CriterionKind.YESNO: N_("yes or no"),
}


class Refusal(StrEnum):
    """Why a returned file was refused as a whole (nothing of it is stored)."""

    NOT_XLSX = "not_xlsx"
    MACROS = "macros"
    TOO_LARGE = "too_large"
    UNREADABLE = "unreadable"
    FORMULA = "formula"
    NOT_TEMPLATE = "not_template"
    OTHER_AGENCY = "other_agency"  # ``cell``: the agency the file is for
    OTHER_YEAR = "other_year"  # ``cell``: the year the file is for


class Refused(ValueError):
    def __init__(self, reason: Refusal, cell: str = "") -> None:
        super().__init__(reason.value, cell)
        self.reason = reason
        self.cell = cell


@dataclass(frozen=True)
class Filled:
    """What a returned sheet says: whose it is, and each input cell with a value."""

    bloc: str
    agency: str
    year: str
    cells: tuple[tuple[str, str, str], ...]  # (cell reference, criterion code, text)


def file_name(agency_code: str, year: int) -> str:
    """``bang-tu-cham-diem-thue-2021.xlsx`` (in the current language)."""
    stem = _("self-score-sheet")  # outside the f-string, where the catalog's extraction sees it
    return f"{stem}-{agency_code}-{year}.xlsx"


def workbook(sheet: SheetView, bloc_code: str, agency_code: str, agency_name: str) -> bytes:
    """The agency's sheet to fill in, as the bytes of an XLSX file, in the current language."""
    from openpyxl import Workbook  # loaded when first used: start-up never pays for it
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(vertical="top", wrap_text=True)
    book = Workbook()
    page = book.active
    assert page is not None
    page.title = _("Self-score")
    page.cell(1, 1, _("Self-score sheet")).font = Font(bold=True, size=14)
    for row, (label, value, shown) in enumerate(
        (
            (_("Bloc"), bloc_code, ""),
            (_("Agency"), agency_code, agency_name),
            (_("Year"), str(sheet.season_year), ""),
        ),
        start=2,
    ):
        page.cell(row, 1, label).font = bold
        page.cell(row, 2, value)
        page.cell(row, 3, shown or None)
    page.cell(5, 1, _instructions())
    headers = (
        _("Group"),
        _("Code"),
        _("Criterion"),
        _("Maximum"),
        _("Kind"),
        _("Current value"),
        _("YOUR SCORE (fill in)"),
        _("Note"),
    )
    for column, text in enumerate(headers, start=1):
        cell = page.cell(HEAD_ROW, column, text)
        cell.font = bold
        cell.fill = input_fill if column == INPUT_COLUMN else head_fill
        cell.alignment = wrap
    fmt = number_format(sheet.table.step)
    row = FIRST_ROW
    for group in sheet.table.groups:
        for criterion in group.items:
            current = sheet.values.get(criterion.code)
            cells: list[Any] = [
                f"{group.code}. {group.title}",
                criterion.code,
                criterion.title,
                _number(criterion.max),
                _(KINDS[criterion.kind]),
                None if current is None else _number(current),
                None,
                sheet.notes.get(criterion.code),
            ]
            for column, value in enumerate(cells, start=1):
                cell = page.cell(row, column, value)
                cell.alignment = wrap
                if column in (4, 6, INPUT_COLUMN):
                    cell.number_format = fmt
            page.cell(row, INPUT_COLUMN).fill = input_fill
            row += 1
    for letter, width in zip("ABCDEFGH", (24, 8, 50, 9, 16, 12, 16, 30), strict=True):
        page.column_dimensions[letter].width = width
    page.freeze_panes = page.cell(FIRST_ROW, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _instructions() -> str:
    return _(
        "Write each score in the yellow column, as a number (0 to the maximum) or yes/no for "
        "a yes/no criterion; leave a cell empty to keep the current value. No formulas."
    )


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def check_name(filename: str, content_type: str = "") -> None:
    """Refuse by what is said of a file: a workbook with macros, or another kind of file (a
    name with another suffix, unless its type says XLSX). A name without a suffix is left to
    ``read``, which looks at the content."""
    name, kind = filename.lower().strip(), _kind(content_type)
    if name.endswith(MACRO_SUFFIXES) or kind in MACRO_TYPES:
        raise Refused(Refusal.MACROS)
    suffix = PurePath(name).suffix
    if suffix and suffix != ".xlsx" and kind != CONTENT_TYPE:
        raise Refused(Refusal.NOT_XLSX)


def said_to_be_workbook(filename: str, content_type: str) -> bool | None:
    """Whether a file is an Excel workbook by its name or type: True, False, or None when
    neither says (no suffix, a type such as application/octet-stream): then its content does."""
    name, kind = filename.lower().strip(), _kind(content_type)
    if name.endswith((".xlsx", *MACRO_SUFFIXES)) or kind == CONTENT_TYPE or kind in MACRO_TYPES:
        return True
    if PurePath(name).suffix or kind not in UNSAID_TYPES:
        return False
    return None


def is_workbook(data: bytes) -> bool:
    """Whether ``data`` is a zip with a workbook inside (an XLSX, macros or not)."""
    if not data.startswith(_ZIP):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as packed:
            return any(member.startswith("xl/workbook.") for member in packed.namelist())
    except zipfile.BadZipFile:
        return False


def _kind(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


def read(data: bytes) -> Filled:
    """A returned sheet, or Refused: checked whole before any value is taken."""
    if len(data) > MAX_BYTES:
        raise Refused(Refusal.TOO_LARGE)
    if not data.startswith(_ZIP):
        raise Refused(Refusal.NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as packed:
            members = packed.infolist()
    except zipfile.BadZipFile as error:
        raise Refused(Refusal.NOT_XLSX) from error
    if sum(member.file_size for member in members) > MAX_UNPACKED:
        raise Refused(Refusal.TOO_LARGE)
    if any(member.filename.lower().endswith("vbaproject.bin") for member in members):
        raise Refused(Refusal.MACROS)
    from openpyxl import load_workbook  # loaded when first used

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise Refused(Refusal.UNREADABLE) from error
    try:
        return _cells(book)
    finally:
        book.close()


def _cells(book: Any) -> Filled:
    found: dict[str, Any] = {}
    cells: list[tuple[str, str, str]] = []
    for index, page in enumerate(book.worksheets):
        for line in page.iter_rows():
            for cell in line:
                value = getattr(cell, "value", None)  # an EmptyCell has no coordinate
                if value is None:
                    continue
                where = cell.coordinate if index == 0 else f"{page.title}!{cell.coordinate}"
                if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                    raise Refused(Refusal.FORMULA, where)
                if index:
                    continue
                if cell.coordinate in (BLOC_CELL, AGENCY_CELL, YEAR_CELL):
                    found[cell.coordinate] = value
                if cell.row >= FIRST_ROW and cell.column == INPUT_COLUMN:
                    code = line[CODE_COLUMN - 1].value if len(line) >= CODE_COLUMN else None
                    cells.append((cell.coordinate, _text(code or ""), _text(value)))
    if len(found) < 3 or not book.worksheets:
        raise Refused(Refusal.NOT_TEMPLATE)
    return Filled(
        _text(found[BLOC_CELL]), _text(found[AGENCY_CELL]), _text(found[YEAR_CELL]), tuple(cells)
    )


def _text(value: Any) -> str:
    """A cell's value as the person would have typed it."""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
