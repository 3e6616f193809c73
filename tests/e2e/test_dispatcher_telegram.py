"""The outbox dispatcher against the Telegram emulator: in process, and as `blocbot run` (two
replicas: tests/e2e/test_leader_replicas.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import App
from bot.channels import telegram_outbox
from bot.channels.hub import Hub
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_api import BotApi
from bot.clock import FrozenClock
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.pacing import Limits
from bot.scheduler.sending import (
    PARTS_SENT,
    SENT_IDS,
    DeliveryResult,
    Parcel,
    PartRecorder,
    SenderMap,
)
from bot.storage.models import Contact, OutboxMessage
from bot.storage.repositories import NewMessage
from bot.testing.process import TOKEN, BotProcess
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator

FIRST_USER = 5_000_001


@pytest.fixture
async def sending(tg: TelegramEmulator, live: App) -> AsyncIterator[Dispatcher]:
    """A running Telegram channel and dispatcher in this process."""
    settings = live.settings.model_copy(
        update={"telegram_token": SecretStr(TOKEN), "telegram_base_url": tg.api_url}
    )
    hub = Hub()
    channel = TelegramChannel(settings, live.router, hub)
    await channel.start()
    dispatcher = live.dispatcher(hub, worker_id="e2e")
    running = asyncio.create_task(dispatcher.run())
    yield dispatcher
    dispatcher.stop()
    await asyncio.wait_for(running, 10)
    await channel.stop()


def people(tg: TelegramEmulator, count: int) -> list[FakeUser]:
    """People who opened a chat with the bot (the emulator knows a chat once it was opened)."""
    users = [tg.user(FIRST_USER + n, f"Người {n}") for n in range(count)]
    for user in users:
        tg.chat_of(user, None)
    return users


async def enqueue(app: App, users: list[FakeUser], **fields: object) -> None:
    now = datetime.now(UTC)
    messages = [
        NewMessage(
            platform="telegram",
            chat_id=str(user.id),
            text=f"Nhắc việc cho {user.first_name}",
            due_at=now,
            dedupe_key=f"e2e:{user.id}",
            **fields,  # type: ignore[arg-type]
        )
        for user in users
    ]
    async with app.uow() as unit:
        await unit.outbox.enqueue(messages, now)
        await unit.commit()


async def statuses(app: App) -> dict[str, int]:
    async with app.uow() as unit:
        found = await unit.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return {status: count for status, count in found.all()}


async def settled(app: App, expected: dict[str, int], timeout: float = 5.0) -> None:
    """Wait until the outbox holds ``expected`` rows by status (outcomes commit after sends)."""
    deadline = time.monotonic() + timeout
    found = await statuses(app)
    while found != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        found = await statuses(app)
    assert found == expected


async def eventually(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: still not true after {timeout}s")
        await asyncio.sleep(0.05)


def received(tg: TelegramEmulator, users: list[FakeUser]) -> list[int]:
    return [len(tg.messages(user)) for user in users]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_errors_and_server_errors_are_retried_and_delivered_once(
    tg: TelegramEmulator, live: App, sending: Dispatcher
) -> None:
    users = people(tg, 4)
    tg.fail_next("sendMessage", status=429, retry_after=1)
    tg.fail_next("sendMessage", status=500)
    tg.drop_connection_next("sendMessage")
    await enqueue(live, users)

    await eventually(lambda: all(received(tg, users)), 10, "every person got the reminder")
    await settled(live, {"sent": 4})  # nothing left to send: no second copy can still come
    assert received(tg, users) == [1, 1, 1, 1]
    assert (tg.stats.injected, tg.stats.dropped) == (2, 1)


async def test_a_person_who_blocked_the_bot_is_marked_unreachable(
    tg: TelegramEmulator, live: App, sending: Dispatcher
) -> None:
    lan, hoa = people(tg, 2)
    tg.block(lan)
    async with live.uow() as unit:
        contact = Contact(
            platform="telegram",
            user_id=str(lan.id),
            display_name="Lan",
            created_at=datetime.now(UTC),
        )
        unit.session.add(contact)
        await unit.commit()
        contact_id = contact.id
    await enqueue(live, [lan], contact_id=contact_id)
    await enqueue(live, [hoa])

    await eventually(lambda: tg.messages(hoa), 5, "Hoa got hers")
    await settled(live, {"failed": 1, "sent": 1})
    assert tg.messages(lan) == []
    async with live.uow() as unit:
        found = await unit.contacts.by_id(contact_id)
        assert found is not None and found.unreachable_at is not None


async def test_a_long_text_arrives_in_parts_a_second_apart(
    tg: TelegramEmulator, live: App, sending: Dispatcher
) -> None:
    (lan,) = people(tg, 1)
    now = datetime.now(UTC)
    text = "\n".join(f"{n:04d} " + "x" * 95 for n in range(60))  # 6,000 characters
    async with live.uow() as unit:
        await unit.outbox.enqueue([NewMessage("telegram", str(lan.id), text, now)], now)
        await unit.commit()

    first, second = await tg.wait_for(lan, count=2, timeout=10)
    assert first.text + "\n" + second.text == text
    assert second.at - first.at >= 1.0
    await settled(live, {"sent": 1})


class BotSender:
    """Outbox sends through a Bot API client of their own, as the Telegram channel makes them."""

    def __init__(self, bot: BotApi) -> None:
        self.bot = bot

    async def deliver(self, parcel: Parcel, part_sent: PartRecorder) -> DeliveryResult:
        return await telegram_outbox.send_outbox_message(self.bot, parcel, part_sent)


def frozen_dispatcher(app: App, clock: FrozenClock, bot: BotApi, worker_id: str) -> Dispatcher:
    """A dispatcher of its own (a process) on a frozen clock, no limits of its own."""
    senders = SenderMap({"telegram": BotSender(bot)})
    return Dispatcher(app.uow, clock, senders, {"telegram": Limits()}, worker_id=worker_id)


async def only_row(app: App) -> OutboxMessage:
    async with app.uow() as unit:
        row = (await unit.session.execute(select(OutboxMessage))).scalar_one()
        unit.session.expunge(row)
        return row


async def recorded(app: App, parts: int, timeout: float = 5.0) -> OutboxMessage:
    """Wait until the outbox row records ``parts`` parts sent."""
    deadline = time.monotonic() + timeout
    row = await only_row(app)
    while (row.payload or {}).get(PARTS_SENT) != parts:
        assert time.monotonic() < deadline, f"{parts} parts sent never recorded: {row.payload}"
        await asyncio.sleep(0.05)
        row = await only_row(app)
    return row


async def test_a_long_text_cut_short_by_a_crash_goes_on_after_the_parts_telegram_took(
    tg: TelegramEmulator, live: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    (lan,) = people(tg, 1)
    text = "\n".join(f"{n:04d} " + "x" * 95 for n in range(120))  # 12,000 characters: 3 parts
    now = datetime.now(UTC)
    async with live.uow() as unit:
        await unit.outbox.enqueue([NewMessage("telegram", str(lan.id), text, now)], now)
        await unit.commit()
    clock = FrozenClock(now)
    async with BotApi(TOKEN, tg.api_url, 4) as bot:
        monkeypatch.setattr(telegram_outbox, "PART_PAUSE", 3600)  # the crash comes in the pause
        crashed = asyncio.create_task(frozen_dispatcher(live, clock, bot, "crashed").run_once())
        await recorded(live, parts=1)
        crashed.cancel()  # as a kill: nothing more is sent or recorded
        with contextlib.suppress(asyncio.CancelledError):
            await crashed
        assert len(tg.messages(lan)) == 1

        monkeypatch.setattr(telegram_outbox, "PART_PAUSE", 0)
        clock.advance(timedelta(seconds=31))  # the crashed claim's lease ran out
        assert await frozen_dispatcher(live, clock, bot, "second").run_once() == 1

    parts = tg.messages(lan)
    assert len(parts) == 3 and "\n".join(part.text or "" for part in parts) == text
    row = await only_row(live)
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 2, "second")
    assert row.payload[SENT_IDS] == [str(part.message_id) for part in parts]


async def test_a_claim_retaken_after_every_part_was_recorded_is_marked_sent_not_resent(
    tg: TelegramEmulator, live: App
) -> None:
    (lan,) = people(tg, 1)
    now = datetime.now(UTC)
    async with live.uow() as unit:
        await unit.outbox.enqueue([NewMessage("telegram", str(lan.id), "Nhắc việc", now)], now)
        await unit.commit()
        (claimed,) = await unit.outbox.claim(now, 1, "crashed", timedelta(seconds=30))
        await unit.outbox.set_payload(claimed.id, {PARTS_SENT: 1, SENT_IDS: ["41"]})
        await unit.commit()  # the crashed process recorded its send, then died

    clock = FrozenClock(now + timedelta(seconds=31))
    async with BotApi(TOKEN, tg.api_url, 4) as bot:
        assert await frozen_dispatcher(live, clock, bot, "second").run_once() == 1

    assert tg.messages(lan) == []
    row = await only_row(live)
    assert (row.status, row.payload[SENT_IDS]) == ("sent", ["41"])


def blocbot(tg: TelegramEmulator, database_url: str, folder: Path, **settings: str) -> BotProcess:
    """`blocbot run` on this database and emulator, quick to send and to retake a lost claim."""
    settings = {"outbox_rate": "1000", "outbox_lease": str(LEASE), **settings}
    return BotProcess.against(tg, database_url, folder, **settings)


LEASE = 3.0  # seconds; a claim of a killed process is retaken after it


async def test_a_broadcast_killed_halfway_is_finished_after_a_restart_exactly_once(
    tg: TelegramEmulator, live: App, database_url: str, tmp_path: Path
) -> None:
    users = people(tg, 500)
    await enqueue(live, users)
    # One send in flight at a time, so the kill can catch at most one between the emulator
    # taking a message and the outbox recording it.
    bot = blocbot(tg, database_url, tmp_path, outbox_concurrency="1")
    async with bot:
        bot.start()
        await eventually(lambda: sum(received(tg, users)) >= 150, 30, "150 delivered")
        await bot.kill()
        at_kill = sum(received(tg, users))
        assert at_kill < 500, "the broadcast ended before the kill"
        assert (await statuses(live)).get("sending"), "no claim was cut short by the kill"

        bot.start()
        await bot.wait_running()
        await eventually(lambda: all(received(tg, users)), 30, "all delivered")
        await settled(live, {"sent": 500})
        assert await bot.stop() == 0

    counts = received(tg, users)
    assert await statuses(live) == {"sent": 500}
    assert min(counts) == 1, "a message was lost"
    print(f"killed at {at_kill}, sent twice: {sum(counts) - 500}")
    assert sum(counts) - 500 <= 1, "more than the one message in flight was sent twice"
