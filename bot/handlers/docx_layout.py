"""The layout of a Vietnamese administrative paper (thể thức văn bản hành chính) in a Word
document: the issuing body and number at the left and the national motto at the right, the
place-and-date line, the title, numbered sections, tables and the signature blocks."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from docx import Document as new_document
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import Table, _Cell

from bot.i18n import _, current_locale

FONT = "Times New Roman"  # the font the rules for administrative papers ask for
SIZE = Pt(13)
# "… tỉnh Thái Bình", "… thành phố Hải Phòng": the province a place or a bloc's name is in.
_PROVINCE = re.compile(r"\b(?:tỉnh|thành phố|TP\.)\s+([^,;()]+)", re.IGNORECASE)


def province_of(*texts: str | None) -> str | None:
    """The province named in the first of ``texts`` that names one: ``Thái Bình``."""
    for text in texts:
        found = _PROVINCE.search(text or "")
        if found:
            return found.group(1).strip()
    return None


def start() -> Document:
    """An A4 document in Times New Roman 13, with the margins of administrative papers."""
    document = new_document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = SIZE
    return document


def finish(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def header(document: Document, issuer: str, number: str, place: str | None, dated: str) -> None:
    """The issuing body and the number (left), the motto and the date line (right)."""
    table = _frame(document, 2)
    left, right = table.rows[0].cells
    _line(left, issuer.upper(), bold=True)
    _line(left, "———")
    _line(left, number)
    _line(right, _("SOCIALIST REPUBLIC OF VIETNAM"), bold=True)
    _line(right, _("Independence - Freedom - Happiness"), bold=True)
    _line(right, "———")
    _line(right, date_line(place, dated), italic=True)


def date_line(place: str | None, dated: str) -> str:
    """``Thái Bình, ngày 20 tháng 12 năm 2021``; ``……`` when the place is not known."""
    return _("{place}, {date}").format(place=place or "……", date=dated)


def long_date(moment: datetime, timezone: str) -> str:
    """``ngày 20 tháng 12 năm 2021`` (``20/12/2021`` in English): Vietnamese papers write the
    days before the 10th and the months before March with a 0, English ones every month."""
    local = moment.astimezone(ZoneInfo(timezone))
    padded = local.month < 3 or not current_locale().startswith("vi")
    return _("{day}/{month}/{year}").format(
        day=f"{local.day:02d}",
        month=f"{local.month:02d}" if padded else local.month,
        year=local.year,
    )


def title(document: Document, name: str, subject: str) -> None:
    """``BIÊN BẢN`` and what it is about, centred."""
    document.add_paragraph()
    _centred(document, name.upper(), bold=True, size=Pt(14))
    _centred(document, subject, bold=True)


def section(document: Document, number: int, heading: str) -> None:
    """``I. THỜI GIAN, ĐỊA ĐIỂM``."""
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{roman(number)}. {heading.upper()}").bold = True


def text(document: Document, words: str, *, bold: bool = False, indent: bool = True) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.add_run(words).bold = bold


def grid(document: Document, heads: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    """A bordered table: a bold header row, then ``rows``."""
    table: Table = document.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        _line(cell, head, bold=True, first=True)
    for row in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    return table


def signatures(
    document: Document, left: Sequence[str], right: Sequence[str], *, sign_left: bool = True
) -> None:
    """Two blocks side by side, each its first line in bold: a signature block (the role,
    room to sign, the name) at the right, and at the left another one or, ``sign_left``
    False, the recipients (nơi nhận)."""
    document.add_paragraph()
    table = _frame(document, 2)
    for cell, lines, sign in zip(
        table.rows[0].cells, (left, right), (sign_left, True), strict=True
    ):
        for number, line in enumerate(lines):
            _line(cell, line, bold=number == 0)
            if number == 0 and sign:
                for _blank in range(3):  # room to sign
                    _line(cell, "")


def roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out, number = out + numeral, number - value
    return out


def _frame(document: Document, columns: int) -> Table:
    """A table without borders, to set blocks side by side."""
    table: Table = document.add_table(rows=1, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table


def _centred(
    document: Document, words: str, *, bold: bool = False, size: Pt | None = None
) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(words)
    run.bold = bold
    if size is not None:
        run.font.size = size


def _line(
    cell: _Cell, words: str, *, bold: bool = False, italic: bool = False, first: bool = False
) -> None:
    """A centred line in a cell (the cell's first, empty paragraph is used first)."""
    paragraphs = cell.paragraphs
    empty = len(paragraphs) == 1 and not paragraphs[0].text and not paragraphs[0].runs
    paragraph = paragraphs[0] if empty or first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(words)
    run.bold, run.italic = bold, italic
