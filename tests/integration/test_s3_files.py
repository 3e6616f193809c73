"""The file store in an S3-compatible bucket, against the project's own S3 emulator: put, get,
exists and a missing file; the same bytes kept as one object; and evidence sent by an agency
kept in the bucket and handed back to the head from there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App, build
from bot.channels.attachments import content
from bot.clock import FrozenClock
from bot.config import Settings
from bot.handlers.model import ChatKind, Incoming, Sender
from bot.storage.files import LINK_PATH, FileLinks, FolderStore, file_store, link_key, ref_of
from bot.storage.s3files import S3Store
from bot.testing.s3_emulator import S3Emulator
from bot.web.files import file_download
from tests.integration.test_results_service import seed

BUCKET = "blocbot"
PDF = b"%PDF-1.4 bao cao tong ket"


@pytest.fixture
async def s3() -> AsyncIterator[S3Emulator]:
    async with S3Emulator.with_buckets(BUCKET) as emulator:
        yield emulator


def s3_settings(s3: S3Emulator, **more: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        files=f"s3://{BUCKET}/evidence",
        s3_endpoint=s3.base_url,
        s3_access_key="blocbot",
        s3_secret_key="not-checked-by-the-emulator",
        **more,
    )


@pytest.fixture
async def store(s3: S3Emulator) -> AsyncIterator[S3Store]:
    built = file_store(s3_settings(s3))
    assert isinstance(built, S3Store)
    yield built
    await built.close()


async def test_a_file_put_in_the_bucket_comes_back_by_its_ref(
    store: S3Store, s3: S3Emulator
) -> None:
    ref = await store.put(PDF)

    assert ref == ref_of(PDF) and await store.exists(ref)
    assert await store.get(ref) == PDF
    assert set(s3.objects(BUCKET)) == {f"evidence/{ref}"}
    assert s3.objects(BUCKET)[f"evidence/{ref}"].data == PDF


async def test_a_missing_file_is_not_found(store: S3Store, s3: S3Emulator) -> None:
    other = "0" * 64

    assert not await store.exists(other)
    assert not await store.exists("../../etc/passwd")
    with pytest.raises(FileNotFoundError):
        await store.get(other)
    with pytest.raises(ValueError):
        await store.get("../secret")
    assert [call.status for call in s3.calls] == [404, 404]  # HEAD, then GET with NoSuchKey


async def test_the_same_bytes_put_twice_are_one_object(store: S3Store, s3: S3Emulator) -> None:
    first = await store.put(PDF)
    second = await store.put(PDF)
    third = await store.put(b"another file")

    assert first == second != third
    assert len(s3.objects(BUCKET)) == 2
    assert [call.method for call in s3.calls].count("PUT") == 2  # the second put: HEAD only


async def test_every_request_is_signed(store: S3Store, s3: S3Emulator) -> None:
    await store.put(PDF)  # the emulator answers 403 to a request without SigV4

    assert {call.status for call in s3.calls} <= {200, 404}


def test_the_files_setting_names_a_folder_or_a_bucket(tmp_path: Path) -> None:
    plain = Settings(_env_file=None, files=str(tmp_path))  # type: ignore[call-arg]
    assert plain.s3_location is None and isinstance(file_store(plain), FolderStore)
    assert Settings(_env_file=None, files="s3://b-1/a/b/").s3_location == ("b-1", "a/b")  # type: ignore[call-arg]
    assert Settings(_env_file=None, files="s3://bucket").s3_location == ("bucket", "")  # type: ignore[call-arg]
    assert Settings(_env_file=None).s3_region == "us-east-1"  # type: ignore[call-arg]
    for bad in ({"files": "s3://"}, {"files": "s3://UPPER/x"}, {"s3_endpoint": "minio:9000"}):
        with pytest.raises(ValueError):
            Settings(_env_file=None, **bad)  # type: ignore[arg-type]


@pytest.fixture
async def s3_app(database_url: str, clock: FrozenClock, s3: S3Emulator) -> AsyncIterator[App]:
    """The application on the test database with its files in the emulator's bucket."""
    application = build(s3_settings(s3, database_url=database_url), clock)
    yield application
    await application.close()


async def test_evidence_is_kept_in_the_bucket_and_the_head_gets_it_back(
    s3_app: App, s3: S3Emulator
) -> None:
    seeded = await seed(s3_app)

    async def fetch(limit: int) -> bytes:
        return PDF

    added = await s3_app.services.evidence.add_file(
        seeded.bloc_id,
        seeded.agencies["thue"],
        seeded.contacts["thue"],
        "I.1",
        "bao-cao.pdf",
        "application/pdf",
        len(PDF),
        fetch,
    )
    assert added.piece.ref == ref_of(PDF)
    assert s3.objects(BUCKET)[f"evidence/{added.piece.ref}"].data == PDF

    head = Sender("u0")  # nhnn's contact (see seed): the bloc's head
    asked = Incoming("telegram", "s3-1", "u0", ChatKind.PRIVATE, head, text="/evidence thue I.1")
    replies = await s3_app.router.handle(asked)

    (sent,) = [file for message in replies.messages for file in message.attachments]
    assert (sent.filename, sent.file_ref) == ("bao-cao.pdf", added.piece.ref)
    assert await content(sent, s3_app.files) == PDF  # what a channel uploads, from the bucket


async def test_a_download_link_serves_the_file_from_the_bucket(store: S3Store) -> None:
    links = FileLinks(link_key("webhook-secret"), "")
    app = web.Application()
    app.router.add_route("GET", LINK_PATH, file_download(store, links, "en"))
    ref = await store.put(PDF)
    async with TestClient(TestServer(app)) as client:
        answer = await client.get(links.url(ref, "bao-cao.pdf"))
        assert (answer.status, await answer.read()) == (200, PDF)
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["Content-Disposition"].startswith("attachment;")
        gone = await client.get(links.url("0" * 64, "bao-cao.pdf"))
        assert (gone.status, await gone.text()) == (404, "This file is no longer kept.\n")
