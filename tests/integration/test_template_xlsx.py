"""/template: the agency's sheet as an XLSX to fill in, read back as typed lines are: a formula
refuses the whole file (nothing stored), a bad cell is named by its reference while the good
ones are saved, a file that is not an XLSX is refused; another agency's sheet too."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from bot.app import App
from bot.handlers.model import (
    AttachmentKind,
    ChatKind,
    Incoming,
    IncomingFile,
    IncomingKind,
    Replies,
    Sender,
)
from bot.handlers.template_xlsx import FIRST_ROW, INPUT_COLUMN
from tests.integration.test_results_service import Seeded, seed

THUE = Sender("u1", language_code="en")  # thue's contact, in English
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def send(app: App, number: int, **fields: Any) -> Replies:
    incoming = Incoming("telegram", f"t-{number}", "u1", ChatKind.PRIVATE, THUE, **fields)
    return await app.router.handle(incoming)


def as_file(data: bytes, name: str = "filled.xlsx") -> dict[str, Any]:
    async def fetch(limit: int) -> bytes:
        if len(data) > limit:
            raise ValueError("too large")
        return data

    sent = IncomingFile(name, XLSX, len(data), fetch)
    return {"kind": IncomingKind.FILE, "file": sent}


def rows(book: Any) -> dict[str, int]:
    page = book.worksheets[0]
    found = {}
    for row in range(FIRST_ROW, page.max_row + 1):
        code = page.cell(row, 2).value
        if code:
            found[code] = row
    return found


def filled(template: bytes, values: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The template with ``values`` typed into the input column, and each code's cell."""
    book = load_workbook(io.BytesIO(template))
    page = book.worksheets[0]
    where = {}
    for code, row in rows(book).items():
        if code in values:
            cell = page.cell(row, INPUT_COLUMN, values[code])
            where[code] = cell.coordinate
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), where


async def stored(app: App, seeded: Seeded) -> dict[str, Decimal]:
    sheet = await app.services.scoring.sheet(seeded.bloc_id, seeded.agencies["thue"])
    return dict(sheet.values)


async def test_a_filled_template_is_read_back_as_typed_lines(app: App) -> None:
    seeded = await seed(app)
    await app.services.scoring.answer(
        seeded.bloc_id, seeded.agencies["thue"], seeded.contacts["thue"], [("I.2", Decimal(9))]
    )
    replies = await send(app, 1, text="/template")
    attachments = [a for m in replies.messages for a in m.attachments]
    assert len(attachments) == 1
    sent = attachments[0]
    assert sent.kind is AttachmentKind.DOCUMENT
    assert sent.filename == "self-score-sheet-thue-2021.xlsx"
    assert sent.data is not None
    book = load_workbook(io.BytesIO(sent.data))
    page = book.worksheets[0]
    heading = (page["B2"].value, page["B3"].value, page["B4"].value)
    assert heading == ("tw-thaibinh", "thue", "2021")
    at = rows(book)
    assert page.cell(at["I.1"], 4).value == 25  # the maximum
    assert page.cell(at["I.2"], 6).value == 9  # the current value, pre-filled
    assert page.cell(at["I.2"], INPUT_COLUMN).value is None  # the input column is empty
    assert page.cell(at["IV.1"], 5).value == "yes or no"

    values: dict[str, Any] = {"I.1": 30, "I.3": 4.5, "IV.1": "có", "II.1": "=1+1"}
    with_formula, where = filled(sent.data, values)
    refused = await send(app, 2, **as_file(with_formula))
    text = refused.messages[-1].text
    assert f"cell {where['II.1']} holds a formula" in text
    assert "Nothing was saved" in text
    assert await stored(app, seeded) == {"I.2": Decimal(9)}

    del values["II.1"]
    good, where = filled(sent.data, values)
    taken = await send(app, 3, **as_file(good))
    text = "\n".join(m.text for m in taken.messages)
    assert f"{where['I.1']}: 30 is above the maximum of I.1, which is 25." in text
    assert "I.3 = 4.5" in text and "IV.1 = 5" in text
    assert await stored(app, seeded) == {
        "I.2": Decimal(9),
        "I.3": Decimal("4.5"),
        "IV.1": Decimal(5),
    }


async def test_a_file_that_is_not_a_sheet_of_this_agency_is_refused(app: App) -> None:
    seeded = await seed(app)
    replies = await send(app, 1, text="/template")
    data = replies.messages[-1].attachments[0].data
    assert data is not None

    text = (await send(app, 2, **as_file(b"%PDF-1.4 bao cao", "report.pdf"))).messages[-1].text
    assert "“report.pdf” was not read, it is not an XLSX workbook" in text
    renamed = (await send(app, 3, **as_file(b"%PDF-1.4", "sheet.xlsx"))).messages[-1].text
    assert "it is not an XLSX workbook" in renamed
    macros = (await send(app, 4, **as_file(data, "sheet.xlsm"))).messages[-1].text
    assert "macros" in macros
    large = (await send(app, 5, **as_file(b"PK\x03\x04" + bytes(1_100_000)))).messages[-1].text
    assert "larger than 1 MB" in large

    book = load_workbook(io.BytesIO(data))
    book.worksheets[0]["B3"] = "khobac"
    book.worksheets[0].cell(FIRST_ROW, INPUT_COLUMN, 20)
    out = io.BytesIO()
    book.save(out)
    other = (await send(app, 6, **as_file(out.getvalue()))).messages[-1].text
    assert "the sheet of khobac, not of your agency" in other
    assert await stored(app, seeded) == {}
