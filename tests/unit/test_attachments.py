"""Attachments: the model, the file store, the parts of an outbox message, signed links and the
web server's download route."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.channels.attachments import Unsendable, from_payload, outbox_parts
from bot.channels.zalo_files import file_links, public_base, zalo_call
from bot.clock import FrozenClock
from bot.config import Settings
from bot.handlers.model import Attachment, AttachmentKind, Outgoing
from bot.scheduler.sending import PARTS_SENT
from bot.storage.files import (
    ATTACHMENTS,
    LINK_PATH,
    BadLink,
    ExpiredLink,
    FileLinks,
    FolderStore,
    OutboxFile,
    link_key,
    outbox_files,
)
from bot.storage.repositories import NewMessage
from bot.web.files import file_download

NOW = datetime(2025, 12, 1, 3, 0, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEY = link_key("webhook-secret", "12345689:abc-xyz")
DATA = b"PK\x03\x04 bang diem"


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    return FolderStore(tmp_path / "files")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def links(clock: FrozenClock) -> FileLinks:
    return FileLinks(KEY, "https://bot.example.vn", clock=clock)


def test_an_attachment_has_bytes_or_a_reference_and_a_plain_name() -> None:
    document = Attachment(AttachmentKind.DOCUMENT, "bảng điểm.xlsx", XLSX, data=DATA)
    assert Outgoing("Bảng điểm", attachments=(document,)).attachments == (document,)
    assert Outgoing("Chỉ chữ").attachments == ()
    with pytest.raises(ValueError, match="either data or a file_ref"):
        Attachment(AttachmentKind.IMAGE, "a.png", "image/png")
    with pytest.raises(ValueError, match="either data or a file_ref"):
        Attachment(AttachmentKind.IMAGE, "a.png", "image/png", data=b"x", file_ref="ab" * 32)
    for name in ("", " ", ".", "..", "../etc/passwd", "thư mục/a.png", "a\\b.png", "a\nb.png"):
        with pytest.raises(ValueError, match="plain file name"):
            Attachment(AttachmentKind.IMAGE, name, "image/png", data=b"x")
    with pytest.raises(ValueError, match="TYPE/SUBTYPE"):
        Attachment(AttachmentKind.IMAGE, "a.png", "png", data=b"x")


async def test_the_store_keeps_each_content_once_under_its_sha256(store: FolderStore) -> None:
    ref = await store.put(DATA)
    assert await store.put(DATA) == ref and len(ref) == 64
    assert await store.get(ref) == DATA and await store.exists(ref)
    assert list(store.root.rglob("*")) == [store.path(ref).parent, store.path(ref)]
    other = "0" * 64
    assert not await store.exists(other) and not await store.exists("../../etc/passwd")
    with pytest.raises(FileNotFoundError):
        await store.get(other)
    with pytest.raises(ValueError):
        await store.get("../secret")


async def test_outbox_rows_list_their_files_by_reference(store: FolderStore) -> None:
    ref = await store.put(DATA)
    file = OutboxFile("document", "bang-diem.xlsx", XLSX, ref)
    message = NewMessage(
        "zalo", "lan", "Bảng điểm", NOW, payload={"kind": "export"}, attachments=(file,)
    )

    payload = message.full_payload()

    assert payload == {"kind": "export", ATTACHMENTS: [file.to_json()]}
    assert outbox_files(payload) == (file,)
    assert from_payload(payload) == (
        Attachment(AttachmentKind.DOCUMENT, "bang-diem.xlsx", XLSX, file_ref=ref),
    )
    assert NewMessage("zalo", "lan", "Chỉ chữ", NOW).full_payload() == {}
    for bad in ({ATTACHMENTS: "x"}, {ATTACHMENTS: [{"kind": "video"}]}, {ATTACHMENTS: [1]}):
        with pytest.raises(ValueError):
            outbox_files(bad)
    with pytest.raises(ValueError):
        OutboxFile("video", "a.mp4", "video/mp4", ref)


async def test_the_parts_of_a_message_are_its_text_then_its_files_less_those_sent(
    store: FolderStore,
) -> None:
    ref = await store.put(DATA)
    image = OutboxFile("image", "bieu-do.png", "image/png", await store.put(b"\x89PNG"))
    payload = {
        ATTACHMENTS: [OutboxFile("document", "a.xlsx", XLSX, ref).to_json(), image.to_json()]
    }
    document, chart = from_payload(payload)

    assert await outbox_parts(["một", "hai"], payload, store) == ["một", "hai", document, chart]
    rest = await outbox_parts(["một", "hai"], {**payload, PARTS_SENT: 2}, store)
    assert rest == [document, chart]
    assert await outbox_parts([], {**payload, PARTS_SENT: 2}, store) == []
    assert await outbox_parts(["một"], {}, None) == ["một"]  # text alone: as it always was
    with pytest.raises(Unsendable, match="empty message"):
        await outbox_parts([], {}, store)
    with pytest.raises(Unsendable, match="no file store"):
        await outbox_parts(["một"], payload, None)
    gone = {ATTACHMENTS: [OutboxFile("document", "mất.xlsx", XLSX, "f" * 64).to_json()]}
    with pytest.raises(Unsendable, match=r"mất\.xlsx is not in the file store"):
        await outbox_parts(["một"], gone, store)
    with pytest.raises(Unsendable, match="bad attachment"):
        await outbox_parts(["một"], {ATTACHMENTS: [{"kind": "document"}]}, store)


def token_of(url: str) -> tuple[str, str]:
    token, name = url.rsplit("/", 2)[-2:]
    return token, name


def flipped(token: str, index: int) -> str:
    """The token with one bit of its byte ``index`` changed."""
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[index] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


async def test_a_signed_link_is_valid_until_it_expires(
    store: FolderStore, links: FileLinks, clock: FrozenClock
) -> None:
    ref = await store.put(DATA)
    url = links.url(ref, "bảng điểm.xlsx")
    token, name = token_of(url)

    assert url.startswith("https://bot.example.vn/files/")
    assert name == "b%E1%BA%A3ng%20%C4%91i%E1%BB%83m.xlsx"
    assert links.check(token, "bảng điểm.xlsx") == ref
    clock.advance(timedelta(days=7))
    assert links.check(token, "bảng điểm.xlsx") == ref  # the last second of its week
    clock.advance(timedelta(seconds=1))
    with pytest.raises(ExpiredLink):
        links.check(token, "bảng điểm.xlsx")


async def test_a_tampered_link_is_refused(store: FolderStore, links: FileLinks) -> None:
    ref, other = await store.put(DATA), await store.put(b"another file")
    token, _name = token_of(links.url(ref, "a.xlsx"))
    forged, _ = token_of(links.url(other, "a.xlsx"))
    swapped = forged[:43] + token[43:]  # the other ref with this link's expiry and signature

    with pytest.raises(BadLink):
        links.check(token, "b.xlsx")  # the name is signed too
    with pytest.raises(BadLink):
        links.check(swapped, "a.xlsx")
    with pytest.raises(BadLink):
        links.check(flipped(token, -1), "a.xlsx")  # the signature
    with pytest.raises(BadLink):
        links.check(flipped(token, 35), "a.xlsx")  # the expiry time
    with pytest.raises(BadLink):
        links.check("not-a-token", "a.xlsx")
    with pytest.raises(BadLink):
        FileLinks(link_key("another secret"), links.base_url).check(token, "a.xlsx")


async def test_links_outlive_a_restart_and_need_a_public_address(tmp_path: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, zalo_token="12345689:abc-xyz", listen="0.0.0.0:8080"
    )
    ref = await FolderStore(tmp_path).put(DATA)
    token, _ = token_of(file_links(settings).url(ref, "a.xlsx"))

    assert file_links(settings).check(token, "a.xlsx") == ref  # another process, same key
    assert public_base(settings) == "http://127.0.0.1:8080"
    public = settings.model_copy(
        update={
            "webhook_url": "https://bot.example.vn",
            "webhook_secret": SecretStr("s3cret-enough"),
        }
    )
    assert public_base(public) == "https://bot.example.vn"
    with pytest.raises(BadLink):  # the secret is part of the key
        file_links(public).check(token, "a.xlsx")
    assert Settings(_env_file=None).files == "files"  # type: ignore[call-arg]


async def test_on_zalo_an_image_is_a_photo_by_link_and_a_document_a_line_with_one(
    store: FolderStore, links: FileLinks
) -> None:
    chart = Attachment(AttachmentKind.IMAGE, "bieu-do.png", "image/png", data=b"\x89PNG")
    ref = await store.put(DATA)
    document = Attachment(AttachmentKind.DOCUMENT, "a.xlsx", XLSX, file_ref=ref)

    method, params = await zalo_call(chart, store, links)
    assert method == "sendPhoto" and links.check(*token_of(params["photo"])) == await store.put(
        b"\x89PNG"
    )
    method, params = await zalo_call(document, store, links)
    first, url = params["text"].split("\n")
    assert (method, first) == ("sendMessage", "📎 a.xlsx")
    assert links.check(*token_of(url)) == ref


@pytest.fixture
async def client(
    store: FolderStore, links: FileLinks
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = web.Application()
    app.router.add_route("GET", LINK_PATH, file_download(store, links, "en"))
    async with TestClient(TestServer(app)) as running:
        yield running


async def test_the_web_server_serves_a_file_to_its_link_only(
    client: TestClient[web.Request, web.Application],
    store: FolderStore,
    links: FileLinks,
    clock: FrozenClock,
) -> None:
    ref = await store.put(DATA)
    path = links.url(ref, "bảng điểm.xlsx").removeprefix(links.base_url)
    image = links.url(await store.put(b"\x89PNG"), "bieu-do.png").removeprefix(links.base_url)

    answer = await client.get(path)
    assert answer.status == 200 and await answer.read() == DATA
    assert answer.headers["Content-Type"] == XLSX
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="b_ng _i_m.xlsx"; '
        "filename*=UTF-8''b%E1%BA%A3ng%20%C4%91i%E1%BB%83m.xlsx"
    )
    shown = await client.get(image)
    assert shown.headers["Content-Type"] == "image/png"
    assert shown.headers["Content-Disposition"].startswith("inline;")

    tampered = await client.get(path.replace(".xlsx", ".html"))
    assert (tampered.status, await tampered.text()) == (403, "This download link is not valid.\n")
    store.path(ref).unlink()
    gone = await client.get(path)
    assert (gone.status, await gone.text()) == (404, "This file is no longer kept.\n")
    clock.advance(timedelta(days=8))
    expired = await client.get(image)
    assert expired.status == 403
    assert await expired.text() == "This download link has expired; ask the bot again.\n"
