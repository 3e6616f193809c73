"""The sheet as a file on Telegram, against the Bot API emulator: a contact sends /maubieu and
gets the agency's sheet as a document, fills some of its yellow cells (one above its maximum)
and sends it back; the bot names the bad cell and keeps the good values. Later, with no dialog
open, a filled sheet sent as a document with no name to go by is read the same way, while a
workbook sent to /evidence stays evidence. Runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import openpyxl

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator
from tests.e2e.season import seeded
from tests.e2e.test_attachments_telegram import channel as channel  # the running channel
from tests.e2e.test_evidence_telegram import linked, say

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YELLOW = "FFF2CC"  # the fill of the cells to fill in


def fill_in(data: bytes, values: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The workbook with ``values`` typed into the yellow cell of each criterion's row (found
    by its code), as a person would; and the cell each went into."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    page = book.worksheets[0]
    where = {}
    for row in page.iter_rows():
        code = row[1].value
        if code not in values:
            continue
        (cell,) = [c for c in row if str(c.fill.fgColor.rgb).endswith(YELLOW)]
        cell.value = values[code]
        where[code] = cell.coordinate
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), where


async def stored(live: App, agency: str = "thue") -> dict[str, Decimal]:
    """The agency's sheet as the store has it."""
    async with live.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        ids = (bloc.id, next(a.id for a in bloc.agencies if a.code == agency))
    return dict((await live.services.scoring.sheet(*ids)).values)


async def blank(tg: TelegramEmulator, lan: FakeUser) -> tuple[str, bytes]:
    """/maubieu: the text, and the document's bytes."""
    await lan.send("/maubieu")
    text, document = await tg.wait_for(lan, count=2, timeout=15)
    assert document.kind == "document" and document.file is not None
    assert re.fullmatch(r"self-score-sheet-thue-\d{4}\.xlsx", document.file.file_name)
    assert document.file.mime_type == XLSX
    return text.text or "", document.file.content


async def test_the_sheet_goes_out_as_a_document_and_comes_back_filled(
    tg: TelegramEmulator, live: App, channel: TelegramChannel
) -> None:
    codes = await seeded(live, days=5)
    lan = await linked(tg, 3201, "Lan", codes["thue"])

    text, data = await blank(tg, lan)
    assert "write the scores in the yellow column" in text and "send the file back here" in text
    filled, where = fill_in(data, {"I.1": 30, "I.2": 9.5, "IV.1": "có"})
    await lan.send_document("bang-tu-cham.xlsx", filled, mime_type=XLSX)
    (answer,) = await tg.wait_for(lan, timeout=15)
    assert answer.text is not None
    assert f"{where['I.1']}: 30 is above the maximum of I.1, which is 25." in answer.text
    assert "Saved: I.2 = 9.5, IV.1 = 5." in answer.text
    assert await stored(live) == {"I.2": Decimal("9.5"), "IV.1": Decimal(5)}
    shown = await say(tg, lan, "/myscore")
    assert re.search(r"I\.2: 9\.5/10", shown) and re.search(r"I\.1: …/25", shown)

    # No dialog open now: a filled sheet sent as a document with no name to go by.
    await say(tg, lan, "/cancel")
    again, _where = fill_in(data, {"I.1": 24, "I.3": 4})
    await lan.send_document("document", again, mime_type="application/octet-stream")
    (answer,) = await tg.wait_for(lan, timeout=15)
    assert answer.text is not None and answer.text.startswith("Saved: I.1 = 24, I.3 = 4.")
    values = await stored(live)
    assert (values["I.1"], values["I.3"], values["I.2"]) == (24, 4, Decimal("9.5"))

    # A workbook sent to /evidence is evidence, not a sheet.
    await say(tg, lan, "/evidence II.1")
    await lan.send_document("bang-tinh.xlsx", again, mime_type=XLSX)
    (kept,) = await tg.wait_for(lan, timeout=15)
    assert kept.text == "Saved bang-tinh.xlsx for II.1 (1 piece)."
    assert "II.1" not in await stored(live)
