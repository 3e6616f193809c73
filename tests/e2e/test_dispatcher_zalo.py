"""The outbox dispatcher on Zalo, in process, against the Zalo emulator: a 429 waits and goes
again, a chat that cannot be reached marks its contact unreachable, long texts go in parts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import App
from bot.channels import zalo_outbox
from bot.channels.hub import Hub
from bot.channels.zalo import ZaloChannel
from bot.scheduler.dispatcher import Dispatcher
from bot.storage.models import Contact, OutboxMessage
from bot.storage.repositories import NewMessage
from bot.testing.process import ZALO_TOKEN
from bot.testing.zalo_emulator import ZaloEmulator


@pytest.fixture
async def zl() -> AsyncIterator[ZaloEmulator]:
    async with ZaloEmulator() as emulator:
        emulator.longest_poll = 1
        yield emulator


@pytest.fixture
async def sending(
    zl: ZaloEmulator, live: App, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Dispatcher]:
    """A running Zalo channel and dispatcher in this process; a 429 waits 0.2 s, not 10."""
    monkeypatch.setattr(zalo_outbox, "RATE_WAIT", 0.2)
    monkeypatch.setattr(zalo_outbox, "PART_PAUSE", 0.0)
    settings = live.settings.model_copy(
        update={"zalo_token": SecretStr(ZALO_TOKEN), "zalo_base_url": zl.api_url}
    )
    hub = Hub()
    channel = ZaloChannel(settings, live.router, hub)
    await channel.start()
    dispatcher = live.dispatcher(hub, worker_id="e2e")
    running = asyncio.create_task(dispatcher.run())
    yield dispatcher
    dispatcher.stop()
    await asyncio.wait_for(running, 10)
    await channel.stop()


async def enqueue(app: App, chats: dict[str, str]) -> dict[str, int]:
    """One message to each chat id (text by chat); the contacts' ids by chat."""
    now = datetime.now(UTC)
    async with app.uow() as unit:
        contacts = {chat: Contact(platform="zalo", user_id=chat, created_at=now) for chat in chats}
        unit.session.add_all(contacts.values())
        await unit.session.flush()
        await unit.outbox.enqueue(
            [
                NewMessage(
                    platform="zalo",
                    chat_id=chat,
                    text=text,
                    due_at=now,
                    contact_id=contacts[chat].id,
                    dedupe_key=f"e2e:{chat}",
                )
                for chat, text in chats.items()
            ],
            now,
        )
        await unit.commit()
        return {chat: contact.id for chat, contact in contacts.items()}


async def outcome(app: App) -> dict[str, tuple[str, int]]:
    """Each outbox row's status and attempts, by chat."""
    async with app.uow() as unit:
        found = await unit.session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.status, OutboxMessage.attempts)
        )
        return {chat: (status, attempts) for chat, status, attempts in found.all()}


async def test_429_waits_unreachable_marks_and_long_texts_go_in_parts(
    zl: ZaloEmulator, live: App, sending: Dispatcher
) -> None:
    lan, minh = zl.user("a1b2c3d4e5f6a7b8c9d0", "Lan"), zl.user("0f9e8d7c6b5a4f3e2d1c", "Minh")
    zl.fail_next("sendMessage", 429)
    long = "\n".join(f"Dòng {n} 🎉 của bản tin dài" for n in range(120))  # over 2,000 units
    await enqueue(live, {lan.id: "Nhắc việc cho Lan", minh.id: long, "nobody": "Không ai đọc"})
    sending.wake.set()

    await zl.wait_reply(lan, timeout=10)
    parts = await zl.wait_for(minh, count=2, timeout=10)
    assert all(part.units <= 2000 for part in parts) and "\n".join(p.text for p in parts) == long

    deadline = time.monotonic() + 10
    found = await outcome(live)
    busy = ("pending", "sending")
    while any(status in busy for status, _ in found.values()) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        found = await outcome(live)
    assert found[lan.id][0] == found[minh.id][0] == "sent"
    assert found["nobody"][0] != "sent"
    # the message that met the 429 went again: 2 + 2 parts + 1 refused
    assert zl.stats.errors[429] == 1 and zl.stats.calls["sendMessage"] == 5
    async with live.uow() as unit:
        nobody = await unit.contacts.get("zalo", "nobody")
        assert nobody is not None and nobody.unreachable_at is not None
