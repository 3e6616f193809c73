"""A photo sent to the bot on Zalo: read from every field and shape the sources describe, with
its caption as the text; in a group it is not for the bot."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.zalo_updates import read
from bot.handlers.model import IncomingKind

BOT = "Bot Khối thi đua"


def image(**fields: Any) -> dict[str, Any]:
    message = {
        "from": {"id": "u1", "display_name": "Lan"},
        "chat": {"id": "u1", "chat_type": "PRIVATE"},
        "message_id": "m1",
        "date": 1750316131602,
        **fields,
    }
    return {"event_name": "message.image.received", "message": message}


@pytest.mark.parametrize(
    "fields",
    [
        {"photo": "https://cdn.zalo/a/hoi-nghi.png"},
        {"photo_url": "https://cdn.zalo/a/hoi-nghi.png"},
        {"url": "https://cdn.zalo/a/hoi-nghi.png"},
        {"photo": ["https://cdn.zalo/s/x.jpg", "https://cdn.zalo/a/hoi-nghi.png"]},
        {"photo": {"url": "https://cdn.zalo/a/hoi-nghi.png"}},
    ],
)
def test_a_photo_is_a_file_wherever_the_update_puts_it(fields: dict[str, Any]) -> None:
    incoming = read(image(caption="Hội nghị", **fields), BOT).incoming
    assert incoming is not None and incoming.kind is IncomingKind.FILE
    assert incoming.text == "Hội nghị" and incoming.file is not None
    assert (incoming.file.filename, incoming.file.content_type) == ("hoi-nghi.png", "image/png")
    assert incoming.file.image and incoming.file.size is None


def test_a_photo_without_a_usable_name_is_named_after_its_message() -> None:
    incoming = read(image(photo="https://cdn.zalo/get?id=123"), BOT).incoming
    assert incoming is not None and incoming.file is not None
    assert (incoming.file.filename, incoming.file.content_type) == ("photo-m1.jpg", "image/jpeg")
    assert incoming.text == ""


def test_an_image_without_an_address_is_not_read() -> None:
    incoming = read(image(photo="not a link"), BOT).incoming
    assert incoming is not None and incoming.kind is IncomingKind.UNSUPPORTED


def test_a_photo_in_a_group_is_not_for_the_bot() -> None:
    body = image(photo="https://cdn.zalo/a.jpg")
    body["message"]["chat"] = {"id": "g1", "chat_type": "GROUP"}
    assert read(body, BOT).incoming is None
