"""The outbox repository on SQLite and PostgreSQL: claiming, recording, concurrent claimers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import App, build
from bot.clock import FrozenClock
from bot.config import Settings
from bot.storage.files import ATTACHMENTS, OutboxFile, ref_of
from bot.storage.repositories import NewMessage
from tests.conftest import backend


async def enqueue(app: App, *chats: str | tuple[str, float, str]) -> None:
    """Messages to ``chats``: a chat id (due now), or (chat id, due in seconds, platform)."""
    now = app.clock.now()
    messages = []
    for chat in chats:
        chat_id, due_in, platform = (chat, 0.0, "telegram") if isinstance(chat, str) else chat
        due_at = now + timedelta(seconds=due_in)
        messages.append(NewMessage(platform, chat_id, f"to {chat_id}", due_at))
    async with app.uow() as unit:
        await unit.outbox.enqueue(messages, now)
        await unit.commit()


async def test_claim_takes_due_rows_oldest_first_and_records_outcomes(app: App) -> None:
    now = app.clock.now()
    await enqueue(
        app,
        ("b", -10, "telegram"),
        ("a", -20, "telegram"),
        ("later", 60, "telegram"),
        ("zalo", -30, "zalo"),
    )
    lease = timedelta(seconds=30)
    async with app.uow() as unit:
        claimed = await unit.outbox.claim(now, 10, "w1", lease, ["telegram"])
        await unit.commit()
    assert [row.chat_id for row in claimed] == ["a", "b"]
    assert all(row.status == "sending" and row.attempts == 1 for row in claimed)
    assert claimed[0].lease_until == now + lease and claimed[0].claimed_by == "w1"

    a, b = claimed
    async with app.uow() as unit:
        await unit.outbox.sent(a.id, now)
        await unit.outbox.retry(b.id, now + timedelta(seconds=2), "Bad Gateway")
        assert await unit.outbox.claim(now, 10, "w1", lease, ["telegram"]) == []
        assert await unit.outbox.next_due(["telegram"]) == now + timedelta(seconds=2)
        await unit.commit()

    async with app.uow() as unit:
        (again,) = await unit.outbox.claim(
            now + timedelta(seconds=2), 10, "w2", lease, ["telegram"]
        )
        assert (again.chat_id, again.attempts, again.last_error) == ("b", 2, "Bad Gateway")
        await unit.outbox.release(again.id, now + timedelta(seconds=5), "flood limit")
        assert await unit.outbox.pending_count() == 3  # b, later, zalo
        await unit.commit()

    async with app.uow() as unit:
        rows = await unit.outbox.claim(now + timedelta(minutes=2), 10, "w3", lease)
        by_chat = {row.chat_id: row for row in rows}
        await unit.outbox.failed(by_chat["b"].id, "400 bad request")
        await unit.outbox.skipped(by_chat["later"].id, "too late")
        await unit.commit()
    assert sorted(by_chat) == ["b", "later", "zalo"]
    assert by_chat["b"].attempts == 2  # the release did not count
    async with app.uow() as unit:
        assert await unit.outbox.pending_count() == 1  # zalo, still claimed by w3
        assert await unit.outbox.next_due() == now + timedelta(minutes=2, seconds=30)


async def test_an_expired_lease_is_claimed_again(app: App) -> None:
    now = app.clock.now()
    await enqueue(app, "a")
    lease = timedelta(seconds=30)
    async with app.uow() as unit:
        (first,) = await unit.outbox.claim(now, 10, "crashed", lease)
        assert await unit.outbox.claim(now + timedelta(seconds=29), 10, "w2", lease) == []
        (second,) = await unit.outbox.claim(now + timedelta(seconds=31), 10, "w2", lease)
        await unit.commit()
    assert (second.id, second.attempts, second.claimed_by) == (first.id, 2, "w2")


async def test_messages_held_for_a_picture_go_with_it_unless_already_taken(app: App) -> None:
    now = app.clock.now()
    later = now + timedelta(minutes=2)
    keys = ["results:1:group-a", "results:1:group-b", "results:1:group-c"]
    held = [
        NewMessage("zalo", chat, f"to {chat}", later, chat_kind="group", dedupe_key=key)
        for chat, key in zip(("a", "b", "c"), keys, strict=True)
    ]
    async with app.uow() as unit:
        await unit.outbox.enqueue(held, now)
        await unit.commit()
    async with app.uow() as unit:  # a's hold ran out and a dispatcher took it
        (taken,) = await unit.outbox.claim(later, 1, "w1", timedelta(seconds=30))
        assert taken.chat_id == "a"
        await unit.commit()
    picture = OutboxFile("image", "xep-hang-2021.png", "image/png", ref_of(b"png"))

    async with app.uow() as unit:
        let_go = await unit.outbox.attach(keys, [picture], now)
        await unit.commit()
    async with app.uow() as unit:
        rows = await unit.outbox.claim(now, 10, "w2", timedelta(seconds=30))

    assert let_go == 2
    assert sorted(row.chat_id for row in rows) == ["b", "c"]  # due now, no longer held
    assert all(row.payload == {ATTACHMENTS: [picture.to_json()]} for row in rows)
    assert taken.payload == {}  # claimed before: as it was


async def test_concurrent_claimers_never_get_the_same_row(
    app: App, database_url: str, clock: FrozenClock
) -> None:
    if backend(database_url) != "postgresql":
        pytest.skip("several claimers at once need PostgreSQL (SQLite has one writer)")
    total = 600
    await enqueue(app, *(str(n) for n in range(total)))
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    others = [build(settings, clock) for _ in range(4)]
    claims: list[list[int]] = [[] for _ in others]

    async def claimer(number: int) -> None:
        while True:
            async with others[number].uow() as unit:
                rows = await unit.outbox.claim(clock.now(), 7, f"w{number}", timedelta(seconds=30))
                await asyncio.sleep(0.001)  # hold the row locks a moment
                await unit.commit()
            if not rows:
                return
            claims[number] += [row.id for row in rows]

    try:
        await asyncio.gather(*(claimer(number) for number in range(len(others))))
    finally:
        for other in others:
            await other.close()
    every = [row_id for claimed in claims for row_id in claimed]
    assert len(every) == len(set(every)) == total
    assert sum(1 for claimed in claims if claimed) > 1  # they did run side by side
