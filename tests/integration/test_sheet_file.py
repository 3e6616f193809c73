"""The filled sheet outside the /template dialog: sent in a direct chat at any time it is read
as in the dialog (a workbook by its name, its type or its content), while evidence still takes
its files and any other file gets the old answer; and through the upload page Zalo users get,
whose signed link names the contact and the agency, which reads the file with the same code
and answers the page with the outcome."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.clock import FrozenClock
from bot.handlers.model import (
    ChatKind,
    Incoming,
    IncomingFile,
    IncomingKind,
    Outgoing,
    Sender,
    Upload,
)
from bot.storage.files import LINK_PATH, UPLOAD_PATH, FileLinks, UploadGrant, link_key
from bot.web.files import file_download
from bot.web.uploads import SheetUploads
from tests.integration.test_results_service import Seeded, seed
from tests.integration.test_template_xlsx import XLSX, as_file, filled, send, stored

KEY = link_key("upload-test")
Client = TestClient[web.Request, web.Application]


async def blank(app: App) -> bytes:
    """The sheet /template sends thue's contact (the dialog left again)."""
    replies = await send(app, 100, text="/template")
    data = replies.messages[-1].attachments[0].data
    assert data is not None
    await send(app, 101, text="/cancel")
    return data


async def test_a_sheet_sent_outside_the_dialog_is_read_as_in_it(app: App) -> None:
    seeded = await seed(app)
    data = await blank(app)

    good, where = filled(data, {"I.1": 30, "I.3": 4.5})
    text = "\n".join(m.text for m in (await send(app, 1, **as_file(good))).messages)
    assert f"{where['I.1']}: 30 is above the maximum of I.1, which is 25." in text
    assert "Saved: I.3 = 4.5." in text
    assert await stored(app, seeded) == {"I.3": Decimal("4.5")}

    # A document with no name to go by and a type that says nothing: its content tells.
    unnamed, _ = filled(data, {"I.2": 9})
    text = (await send(app, 2, **document(unnamed, "document"))).messages[-1].text
    assert "Saved: I.2 = 9." in text
    assert await stored(app, seeded) == {"I.2": Decimal(9), "I.3": Decimal("4.5")}

    macros = (await send(app, 3, **as_file(unnamed, "sheet.xlsm"))).messages[-1].text
    assert "macros" in macros

    await send(app, 4, text="/cancel")
    pdf = await send(app, 5, **document(b"%PDF-1.4", "report.pdf", "application/pdf"))
    assert [m.text for m in pdf.messages] == [
        "I can only read text. Send /help to see what I can do."
    ]
    zipped = await send(app, 6, **document(b"PK\x03\x04 not a workbook", "archive"))
    assert zipped.messages[-1].text.startswith("I can only read text.")


def document(data: bytes, name: str, kind: str = "application/octet-stream") -> dict[str, object]:
    """A file update whose name and type are as a phone may send them."""

    async def fetch(limit: int) -> bytes:
        if len(data) > limit:
            raise ValueError("too large")
        return data

    return {"kind": IncomingKind.FILE, "file": IncomingFile(name, kind, len(data), fetch)}


async def test_evidence_still_takes_a_workbook_and_a_stranger_gets_the_old_answer(
    app: App,
) -> None:
    seeded = await seed(app)
    data = await blank(app)
    workbook, _ = filled(data, {"I.1": 20})

    await send(app, 1, text="/evidence I.1")
    saved = (await send(app, 2, **as_file(workbook))).messages[-1].text
    assert saved == "Saved filled.xlsx for I.1 (1 piece)."
    assert await stored(app, seeded) == {}

    stranger = Incoming(
        "telegram", "s-1", "u9", ChatKind.PRIVATE, Sender("u9", language_code="en"),
        **as_file(workbook),
    )  # fmt: skip
    answer = await app.router.handle(stranger)
    assert answer.messages[-1].text == "I can only read text. Send /help to see what I can do."


async def test_a_sheet_sent_to_a_submitted_sheet_changes_nothing(app: App) -> None:
    seeded = await seed(app)
    data = await blank(app)
    sheet = await app.services.scoring.sheet(seeded.bloc_id, seeded.agencies["thue"])
    answers = [(c.code, Decimal(0)) for c in sheet.table.criteria()]
    thue, contact = seeded.agencies["thue"], seeded.contacts["thue"]
    await app.services.scoring.answer(seeded.bloc_id, thue, contact, answers)
    await app.services.scoring.submit(seeded.bloc_id, thue, contact)

    workbook, _ = filled(data, {"I.1": 20})
    text = (await send(app, 1, **as_file(workbook))).messages[-1].text
    assert text.startswith("Your sheet was submitted")
    assert (await stored(app, seeded))["I.1"] == 0


async def test_on_zalo_the_dialog_gives_the_upload_link_and_an_upload_names_its_agency(
    app: App,
) -> None:
    seeded = await seed(app)
    codes = {line.agency_code: line.code for line in await app.invites.invites("tw-thaibinh")}
    number = iter(range(1, 100))

    async def zalo(text: str = "", **fields: object) -> list[Outgoing]:
        incoming = Incoming(
            "zalo", f"z-{next(number)}", "z1", ChatKind.PRIVATE, Sender("z1"), text=text,
            **fields,  # type: ignore[arg-type]
        )  # fmt: skip
        return (await app.router.handle(incoming)).messages

    await zalo(f"/start {codes['thue']}")
    await zalo("/lang en")
    person = await app.router.person("zalo", "z1")
    assert person is not None
    (sent,) = await zalo("/maubieu")
    assert "open the second link to send the file back" in sent.text
    assert len(sent.attachments) == 1
    thue = seeded.agencies["thue"]
    label = "📤 Send the filled sheet of Cục Thuế tỉnh Thái Bình here:"
    assert sent.upload == Upload("template", person.contact_id, thue, label)
    (waiting,) = await zalo("I.1 20")
    assert "by opening the link below" in waiting.text and waiting.upload == sent.upload

    workbook, _ = filled(sent.attachments[0].data or b"", {"I.1": 20})
    upload = as_file(workbook)["file"]
    for payload in (f"template:{person.contact_id}:{seeded.agencies['khobac']}", "other:1:2"):
        (refused,) = await zalo(kind=IncomingKind.UPLOAD, payload=payload, file=upload)
        assert refused.text.startswith("This upload link ")
    (taken,) = await zalo(
        kind=IncomingKind.UPLOAD, payload=f"template:{person.contact_id}:{thue}", file=upload
    )
    assert taken.text.startswith("Saved: I.1 = 20.")
    assert await stored(app, seeded) == {"I.1": Decimal(20)}


# -- the upload page --------------------------------------------------------------------------


@pytest.fixture
async def page(app: App) -> AsyncIterator[tuple[Client, FileLinks]]:
    """The upload and download routes on a test server, handing files to the app's router."""
    links = FileLinks(KEY, "", clock=app.clock, lifetime=timedelta(days=1))
    uploads = SheetUploads(links, app.work, app.router.handle, "en")
    server = web.Application()
    server.router.add_get(UPLOAD_PATH, uploads.page)
    server.router.add_post(UPLOAD_PATH, uploads.take)
    server.router.add_get(LINK_PATH, file_download(app.files, links, "en"))
    async with TestClient(TestServer(server)) as client:
        yield client, links


def grant(seeded: Seeded, agency: str = "thue") -> UploadGrant:
    return UploadGrant(
        "template", "telegram", seeded.contacts["thue"], seeded.agencies[agency], "u1", "u1"
    )


def form(data: bytes, name: str, kind: str = XLSX) -> aiohttp.FormData:
    sent = aiohttp.FormData()
    sent.add_field("file", data, filename=name, content_type=kind)
    return sent


async def test_the_upload_page_takes_the_sheet_and_answers_with_the_outcome(
    app: App, page: tuple[Client, FileLinks]
) -> None:
    client, links = page
    seeded = await seed(app)
    data = await blank(app)
    address = links.upload_url(grant(seeded))

    shown = await client.get(address)
    body = await shown.text()
    assert shown.status == 200 and shown.headers["Cache-Control"] == "no-store"
    assert '<html lang="en">' in body  # thue's contact reads English
    assert "The self-score sheet of Cục Thuế tỉnh Thái Bình for 2021" in body
    assert 'type="file" name="file"' in body and "at most 1 MB" in body

    good, where = filled(data, {"I.1": 30, "II.1": 8})
    taken = await client.post(address, data=form(good, "bảng điểm.xlsx"))
    body = await taken.text()
    assert taken.status == 200
    assert "Saved: II.1 = 8." in body
    assert f"{where['I.1']}: 30 is above the maximum of I.1, which is 25." in body
    assert "The whole answer is in your chat with the bot." in body
    assert await stored(app, seeded) == {"II.1": Decimal(8)}

    again = await client.post(address, data=form(b"%PDF-1.4", "bao-cao.pdf", "application/pdf"))
    assert "“bao-cao.pdf” was not read, it is not an XLSX workbook." in await again.text()

    async def stream() -> AsyncIterator[bytes]:
        for _chunk in range(40):  # 1.3 MB with no length announced: read up to the limit only
            yield b"PK\x03\x04" + bytes(32_764)

    large = aiohttp.FormData()
    large.add_field("file", stream(), filename="big.xlsx", content_type=XLSX)
    too_large = await client.post(address, data=large)
    assert "“big.xlsx” was not read, it is larger than 1 MB." in await too_large.text()
    announced = await client.post(
        address, data=b"x" * 1_100_000, headers={"Content-Type": "multipart/form-data; b=x"}
    )
    assert announced.status == 413
    empty = await client.post(address, data=form(b"", ""))
    assert empty.status == 400 and "Choose the filled sheet (an .xlsx file)" in await empty.text()
    assert await stored(app, seeded) == {"II.1": Decimal(8)}


async def test_an_upload_link_that_is_changed_expired_or_not_one_is_refused(
    app: App, page: tuple[Client, FileLinks], clock: FrozenClock
) -> None:
    client, links = page
    seeded = await seed(app)
    token = links.upload_token(grant(seeded))
    changed = ("A" if token[0] != "A" else "B") + token[1:]
    refused = await client.get(f"/upload/{changed}")
    assert refused.status == 403
    assert "<p>This upload link is not valid.</p>" in await refused.text()

    ref = await app.files.put(b"PK\x03\x04 a file")
    download = links.url(ref, "a.xlsx")
    download_token = download.split("/")[-2]
    assert (await client.get(f"/upload/{download_token}")).status == 403
    assert (await client.get(download.replace(download_token, token))).status == 403
    assert (await client.get(download)).status == 200

    other = await client.get(links.upload_url(grant(seeded, "khobac")))
    assert other.status == 403  # thue's contact is not khobac's
    assert "no longer linked to the agency" in await other.text()

    clock.advance(timedelta(days=1, seconds=1))
    expired = await client.post(f"/upload/{token}", data=form(b"PK", "a.xlsx"))
    assert expired.status == 403
    assert "This upload link has expired; send /template" in await expired.text()
    assert await stored(app, seeded) == {}
