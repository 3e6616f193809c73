"""The head who announces gets the results through the outbox like everyone, crash or not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.handlers.model import Incoming, Outgoing
from bot.testing.recording import Chat, Person, Recording

RESULTS = ("Results of the emulation year 2021", "Kết quả thi đua năm 2021")  # en, vi (group)


async def linked(recording: Recording) -> tuple[Person, Person, Chat]:
    """The head (nhnn), a member (thue) and the bloc's group."""
    head = recording.person("hoa", language="en")
    await head.say(f"/start {recording.codes['nhnn']}")
    lan = recording.person("lan", language="en")
    await lan.say(f"/start {recording.codes['thue']}")
    group = recording.group()
    await head.say(f"/linkgroup {recording.group_code}", group)
    return head, lan, group


async def provisional(recording: Recording, head: Person, chat: Chat | None = None) -> None:
    """The provisional results published (and sent), and the time to object passed."""
    await head.say("/announce", chat)
    await head.press("Công bố" if chat else "Publish", chat)
    await recording.flush_outbox()
    clock = recording.app.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(days=3))


def results(chat: Chat) -> list[str]:
    return [text for text in chat.texts() if text.startswith(RESULTS)]


async def test_the_head_gets_the_results_even_when_the_bot_dies_before_its_reply(
    recording: Recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    head, lan, group = await linked(recording)
    await provisional(recording, head)
    await head.say("/announce")

    async def dies_before_replying(incoming: Incoming) -> list[Outgoing]:
        await recording.app.router.handle(incoming)  # committed: the results are announced
        return []  # ... and the process is gone before any reply goes out

    monkeypatch.setattr(recording, "deliver", dies_before_replying)
    await head.press("Announce")
    monkeypatch.undo()
    assert results(head.dm) == []

    await recording.flush_outbox()  # the dispatcher, after the restart
    assert len(results(head.dm)) == 1
    assert len(results(lan.dm)) == 1 and len(results(group)) == 1


async def test_the_reply_only_confirms_and_each_chat_gets_the_results_once(
    recording: Recording,
) -> None:
    head, lan, group = await linked(recording)
    await provisional(recording, head)
    await head.say("/announce")

    done = await head.press("Announce")
    queued = await recording.flush_outbox()

    assert [message.text for message in done] == [
        "The results are announced and sent to 1 group and 2 contacts."
    ]
    assert len(queued) == 3  # the group, the member and the head
    assert [len(results(chat)) for chat in (head.dm, lan.dm, group)] == [1, 1, 1]


async def test_announced_in_the_group_the_group_gets_the_results_once(
    recording: Recording,
) -> None:
    head, lan, group = await linked(recording)
    await provisional(recording, head, group)
    await head.say("/announce", group)

    await head.press("Công bố", group)  # the group speaks the bloc's language
    await recording.flush_outbox()

    assert [len(results(chat)) for chat in (head.dm, lan.dm, group)] == [1, 1, 1]
