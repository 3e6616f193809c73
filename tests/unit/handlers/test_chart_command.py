"""/chart (/bieudo): the ranking picture for whom /standings shows it, else the progress."""

from __future__ import annotations

import pytest

from bot.handlers.model import AttachmentKind, Outgoing
from bot.testing.recording import Chat, Person, Recording
from tests.unit.handlers.test_announce_delivery import linked

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def people(recording: Recording) -> tuple[Person, Person, Chat]:
    """The head (nhnn) and a member (thue), both in English, and the bloc's group."""
    return await linked(recording)


def picture(replies: list[Outgoing]) -> tuple[str, str]:
    """The one reply's text and its image's file name; the image is a PNG."""
    assert len(replies) == 1
    (image,) = replies[0].attachments
    assert image.kind is AttachmentKind.IMAGE and image.content_type == "image/png"
    assert image.data is not None and image.data.startswith(PNG_SIGNATURE)
    return replies[0].text, image.filename


async def test_the_head_gets_the_ranking_picture(people: tuple[Person, Person, Chat]) -> None:
    head, _member, _group = people

    text, name = picture(await head.say("/chart"))

    assert text.startswith("The ranking of ") and text.endswith(", 2021, as a picture.")
    assert name.startswith("xep-hang-") and name.endswith("-2021.png")


async def test_a_member_and_the_group_get_the_progress(
    people: tuple[Person, Person, Chat],
) -> None:
    head, member, group = people

    text, name = picture(await member.say("/bieudo"))
    in_group, group_name = picture(await head.say("/chart", group))

    assert text == (
        "The ranking is visible to the head and deputies until the results are announced."
    )
    assert in_group.startswith("Bảng xếp hạng chỉ Trưởng khối và Phó khối")  # the group's vi
    assert name.startswith("tien-do-") and group_name == name


async def test_an_unknown_year_is_refused(people: tuple[Person, Person, Chat]) -> None:
    head, _member, _group = people

    replies = await head.say("/chart 1999")

    assert not replies[0].attachments
    assert "1999 is not a season of the bloc" in replies[0].text
