"""Pictures in the bloc's group when the bloc file asks for them (``season.pictures``): the
ranking with /standings and with the results /announce posts, the progress with /progress."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from bot.blocfile import parse_bloc
from bot.clock import FrozenClock
from bot.handlers.model import AttachmentKind, Outgoing
from bot.services.results import PICTURE_WAIT
from bot.storage.models import OutboxMessage
from bot.testing.recording import Chat, Person, Recording
from tests.unit.blocfile_cases import dump, sample_data
from tests.unit.handlers.test_announce_delivery import RESULTS, linked

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PROVISIONAL = ("Provisional results of the emulation year 2021", "Kết quả tạm thời")


async def asks_for(recording: Recording, pictures: object) -> None:
    """The sample bloc imported again with ``season.pictures: <pictures>``."""
    data = sample_data()
    data["season"]["pictures"] = pictures
    await recording.app.blocs.import_bloc(parse_bloc(dump(data)))


async def png_of(recording: Recording, message: Outgoing) -> str:
    """The file name of the message's one picture, a PNG (its bytes or in the file store)."""
    (image,) = message.attachments
    assert image.kind is AttachmentKind.IMAGE and image.content_type == "image/png"
    data = image.data
    if data is None:
        assert image.file_ref is not None
        data = await recording.app.files.get(image.file_ref)
    assert data.startswith(PNG_SIGNATURE)
    return image.filename


def one(replies: list[Outgoing]) -> Outgoing:
    assert len(replies) == 1
    return replies[0]


def post(chat: Chat, starts: tuple[str, ...]) -> Outgoing:
    """The one message the chat received that starts with one of ``starts``."""
    (found,) = [message for message in chat.received if message.text.startswith(starts)]
    return found


async def publish(recording: Recording, head: Person) -> None:
    """The head publishes the provisional results in his direct chat; the outbox delivers."""
    await head.say("/announce")
    await head.press("Publish")
    await recording.flush_outbox()


async def announce(recording: Recording, head: Person) -> None:
    """After the time to object, the head announces the final results; the outbox delivers."""
    clock = recording.app.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(days=3))
    await head.say("/announce")
    await head.press("Announce")
    await recording.flush_outbox()


async def test_asked_for_the_group_gets_its_pictures_and_direct_chats_do_not(
    recording: Recording,
) -> None:
    head, lan, group = await linked(recording)
    await asks_for(recording, True)

    progress = one(await lan.say("/tiendo", group))
    hidden = one(await lan.say("/xephang", group))  # before publication: no ranking there
    direct = one(await lan.say("/progress"))

    assert progress.text.startswith("Bảng tự chấm điểm của Khối TW Thái Bình")
    assert await png_of(recording, progress) == "tien-do-tw-thaibinh-2021.png"
    assert "chỉ Trưởng khối và Phó khối" in hidden.text and not hidden.attachments
    assert not direct.attachments

    await publish(recording, head)
    provisional = post(group, PROVISIONAL)  # the posts /announce sent, through the outbox
    to_people = [post(lan.dm, PROVISIONAL), post(head.dm, PROVISIONAL)]
    standings = one(await lan.say("/standings", group))
    in_dm = one(await lan.say("/standings"))

    assert await png_of(recording, provisional) == "xep-hang-tw-thaibinh-2021.png"
    assert not any(message.attachments for message in to_people)
    assert standings.text.startswith("Kết quả tạm thời")
    assert await png_of(recording, standings) == "xep-hang-tw-thaibinh-2021.png"
    assert in_dm.text.startswith(PROVISIONAL) and not in_dm.attachments

    await announce(recording, head)

    assert await png_of(recording, post(group, RESULTS)) == "xep-hang-tw-thaibinh-2021.png"
    assert not post(lan.dm, RESULTS).attachments


async def test_without_the_option_no_post_carries_a_picture(recording: Recording) -> None:
    head, lan, group = await linked(recording)

    await publish(recording, head)
    replies = [one(await lan.say(command, group)) for command in ("/standings", "/progress")]
    await announce(recording, head)

    assert replies[0].text.startswith("Kết quả tạm thời") and not replies[0].attachments
    assert not replies[1].attachments
    assert not any(message.attachments for message in group.received)


async def test_only_the_results_when_the_file_names_only_them(recording: Recording) -> None:
    head, lan, group = await linked(recording)
    await asks_for(recording, ["results"])

    await publish(recording, head)
    provisional = post(group, PROVISIONAL)
    replies = [one(await lan.say(command, group)) for command in ("/standings", "/progress")]

    assert await png_of(recording, provisional) == "xep-hang-tw-thaibinh-2021.png"
    assert not any(reply.attachments for reply in replies)


async def test_a_picture_that_cannot_be_drawn_loses_no_text(
    recording: Recording, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    head, lan, group = await linked(recording)
    await asks_for(recording, True)

    def broken(_picture: object) -> bytes:
        raise MemoryError("no memory left for the figure")

    monkeypatch.setattr("bot.handlers.pictures.draw", broken)
    with caplog.at_level(logging.ERROR, logger="bot.handlers.pictures"):
        progress = one(await lan.say("/progress", group))
        await head.say("/announce")
        done = await head.press("Publish")
    rows = await group_rows(recording)
    await recording.flush_outbox()

    assert progress.text.startswith("Bảng tự chấm điểm") and not progress.attachments
    assert [message.text for message in done] == [
        "The provisional results are published and sent to 1 group and 2 contacts; "
        "objections are open until 13/11/2021 09:00."
    ]
    assert rows == [(recording.app.clock.now(), [])]  # not held: it goes at once, as text
    assert not post(group, PROVISIONAL).attachments
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "picture tien-do-tw-thaibinh-2021.png not drawn, its text goes without it: "
        "MemoryError: no memory left for the figure",
        "picture xep-hang-tw-thaibinh-2021.png not drawn, its text goes without it: "
        "MemoryError: no memory left for the figure",
    ]


async def test_a_picture_that_cannot_be_kept_lets_the_results_go_at_once(
    recording: Recording, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    head, _lan, _group = await linked(recording)
    await asks_for(recording, ["results"])

    async def full(_data: bytes) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recording.app.files, "put", full)
    with caplog.at_level(logging.ERROR, logger="bot.handlers.pictures"):
        await head.say("/announce")
        await head.press("Publish")

    assert await group_rows(recording) == [(recording.app.clock.now(), [])]
    assert [record.getMessage() for record in caplog.records] == [
        "picture xep-hang-tw-thaibinh-2021.png not kept, its text goes without it: "
        "OSError: [Errno 28] No space left on device"
    ]


async def test_results_held_for_a_picture_go_anyway_if_the_bot_stops_first(
    recording: Recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    head, _lan, _group = await linked(recording)
    await asks_for(recording, ["results"])
    monkeypatch.setattr("bot.handlers.announce.results_pictures", lambda _ctx, _done: None)

    await head.say("/announce")
    await head.press("Publish")  # committed; the picture would be drawn after: it never is

    assert await group_rows(recording) == [(recording.app.clock.now() + PICTURE_WAIT, [])]


async def group_rows(recording: Recording) -> list[tuple[object, list[object]]]:
    """When each group message of the outbox is due, and the files it carries."""
    async with recording.app.uow() as uow:
        rows = await uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_kind == "group")
        )
        return [
            (
                row.due_at.replace(tzinfo=row.due_at.tzinfo or UTC),
                row.payload.get("attachments", []),
            )
            for row in rows
        ]
