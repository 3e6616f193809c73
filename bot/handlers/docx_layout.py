"""The layout of a Vietnamese administrative paper (thể thức văn bản hành chính) in a Word
document: the issuing body and number at the left and the national motto at the right, the
place-and-date line, the title, numbered sections, tables and the signature blocks.

``bot.handlers.docx_forms`` lays the shipped templates out with it: every text it is given is
one run, so a Jinja tag in it (``{{ bloc|upper }}``) is never split across runs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document as new_document
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import Table, _Cell

FONT = "Times New Roman"  # the font the rules for administrative papers ask for
SIZE = Pt(13)
RULE = "———"  # the short line under the issuing body and under the motto


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


def header(document: Document, issuer: str, number: str, motto: Sequence[str], dated: str) -> None:
    """The issuing body and the number (left), the motto and the date line (right)."""
    table = _frame(document, 2)
    left, right = table.rows[0].cells
    _line(left, issuer, bold=True)
    _line(left, RULE)
    _line(left, number)
    for line in motto:
        _line(right, line, bold=True)
    _line(right, RULE)
    _line(right, dated, italic=True)


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


def control(document: Document, tag: str) -> None:
    """A paragraph that holds only a paragraph tag (``{%p if meeting %}``): docxtpl drops the
    paragraph and keeps the tag."""
    document.add_paragraph().add_run(tag)


def grid(
    document: Document,
    heads: Sequence[str],
    row: Sequence[str],
    loop: str,
    widths: Sequence[float],
) -> Table:
    """A bordered table whose columns are ``widths`` centimetres wide: a bold header row, then
    ``row`` repeated by the row tags around it (``{%tr for p in ranking %}`` …
    ``{%tr endfor %}``, each alone in a row)."""
    table: Table = document.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        _line(cell, head, bold=True, first=True)
    for values in ([f"{{%tr for {loop} %}}"], row, ["{%tr endfor %}"]):
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        for cell, value in zip(cells, values, strict=False):
            cell.text = value
    for line in table.rows:  # Word reads the columns' widths, LibreOffice the cells'
        for cell, width in zip(line.cells, widths, strict=False):
            cell.width = Cm(width)
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
