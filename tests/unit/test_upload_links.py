"""Upload links: signed like download links but with a key of their own, so neither serves as
the other; they name the contact, the agency and the chat, and expire with the download links'
lifetime. Every signed link starts at BLOCBOT_PUBLIC_URL, else the webhook address, else the
address the web server listens on."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from bot.channels.zalo_files import file_links, public_base
from bot.clock import FrozenClock
from bot.config import Settings, problems
from bot.i18n import _, use_locale
from bot.storage.files import BadLink, ExpiredLink, FileLinks, UploadGrant, link_key

KEY = link_key("webhook-secret", "12345689:abc-xyz")
REF = "ab" * 32
LAN = UploadGrant("template", "zalo", 7, 3, "6ede9afa66b88fe6d6a9", "6ede9afa66b88fe6d6a9")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2021, 11, 10, 2, 0, tzinfo=UTC))


@pytest.fixture
def links(clock: FrozenClock) -> FileLinks:
    return FileLinks(KEY, "https://bot.example.vn", clock=clock, lifetime=timedelta(days=7))


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def flipped(token: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[index] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def test_an_upload_link_names_its_holder_until_it_expires(
    links: FileLinks, clock: FrozenClock
) -> None:
    url = links.upload_url(LAN)
    token = url.removeprefix("https://bot.example.vn/upload/")

    assert "/" not in token and len(url) < 200
    assert links.check_upload(token) == LAN
    group = UploadGrant("template", "zalo", 7, 3, "6ede9afa66b88fe6d6a9", "chat-42")
    assert links.check_upload(links.upload_token(group)) == group  # another chat id is kept
    clock.advance(timedelta(days=7))
    assert links.check_upload(token) == LAN  # the last second of its week, used again
    clock.advance(timedelta(seconds=1))
    with pytest.raises(ExpiredLink):
        links.check_upload(token)


def test_a_changed_upload_link_or_a_download_link_is_no_upload_link(links: FileLinks) -> None:
    token = links.upload_token(LAN)
    raw_length = len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for index in range(raw_length):  # the expiry, the contact, the agency, the names, the MAC
        with pytest.raises(BadLink):
            links.check_upload(flipped(token, index))
    with pytest.raises(BadLink):
        FileLinks(link_key("another secret"), links.base_url).check_upload(token)
    with pytest.raises(BadLink):
        links.check_upload("not-a-token")
    with pytest.raises(BadLink):
        links.check_upload("A" * 1000)

    download = links.token(REF, "a.xlsx")
    with pytest.raises(BadLink):
        links.check_upload(download)
    with pytest.raises(BadLink):
        links.check(token, "a.xlsx")
    assert links.check(download, "a.xlsx") == REF


def test_a_grant_names_a_purpose_a_platform_and_a_chat() -> None:
    with pytest.raises(ValueError):
        UploadGrant("template", "zalo", 7, 3, "", "chat")
    with pytest.raises(ValueError):
        UploadGrant("template", "zalo", 7, 3, "a\x1fb", "chat")
    with pytest.raises(ValueError):
        UploadGrant("template", "zalo", -1, 3, "user", "chat")


def test_links_start_at_the_public_address_else_the_webhook_else_the_listener() -> None:
    listening = settings(zalo_token="12345689:abc-xyz", listen="0.0.0.0:8080")
    assert public_base(listening) == "http://127.0.0.1:8080"
    webhook = settings(webhook_url="https://hook.example.vn", webhook_secret="s3cret-enough")
    assert public_base(webhook) == "https://hook.example.vn"
    both = settings(
        webhook_url="https://hook.example.vn",
        webhook_secret="s3cret-enough",
        public_url=" https://bot.example.vn/ ",
    )
    assert public_base(both) == "https://bot.example.vn"
    public = settings(zalo_token="12345689:abc-xyz", public_url="https://bot.example.vn")
    assert public_base(public) == "https://bot.example.vn"
    assert file_links(public).upload_url(LAN).startswith("https://bot.example.vn/upload/")
    assert file_links(public).url(REF, "a.xlsx").startswith("https://bot.example.vn/files/")
    assert settings(public_url="").public_url is None


@pytest.mark.parametrize("value", ["bot.example.vn", "ftp://bot.example.vn", "https://"])
def test_a_public_address_that_is_not_one_is_reported(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        settings(public_url=value)

    (problem,) = problems(refused.value)
    assert (problem.variable, problem.value) == ("BLOCBOT_PUBLIC_URL", value)
    with use_locale("en"):
        assert _(problem.accepted).startswith("the public https:// address at which this")
