"""The real Telegram channel in webhook mode, taking its updates from the inbox.

An update taken over by another worker after its handling was committed (its replica died
before it could mark it done) is not answered a second time: the router knows it processed it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from bot.app import App
from bot.channels.hub import Hub
from bot.channels.inbox import Inbox
from bot.channels.telegram import TelegramChannel
from bot.storage.models import InboxUpdate
from bot.testing.telegram_emulator import TelegramEmulator

TOKEN = "123:ABC"


class Outcomes:
    """What the channel says became of each update."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.changed = asyncio.Event()

    def update(self, platform: str, outcome: str, seconds: float | None = None) -> None:
        self.seen.append(outcome)
        self.changed.set()

    def webhook_refused(self, platform: str) -> None:
        pass

    async def until(self, outcome: str) -> None:
        async with asyncio.timeout(10):
            while outcome not in self.seen:
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
def outcomes() -> Outcomes:
    return Outcomes()


@pytest.fixture
async def inbox(tg: TelegramEmulator, app: App, outcomes: Outcomes) -> AsyncIterator[Inbox]:
    """A worker's inbox and the webhook-mode channel that handles what it takes."""
    settings = app.settings.model_copy(
        update={
            "telegram_token": SecretStr(TOKEN),
            "telegram_base_url": tg.api_url,
            "webhook_url": "https://bot.example.vn",
            "webhook_secret": SecretStr("inbox-s3cret"),
        }
    )
    taken = Inbox(app.uow, app.clock, "worker", poll_every=0.05)
    channel = TelegramChannel(settings, app.router, Hub(), observer=outcomes, inbox=taken)
    await channel.start()
    taken.start()
    yield taken
    await taken.stop()
    await channel.stop()


async def test_an_update_taken_over_after_it_was_answered_is_not_answered_again(
    tg: TelegramEmulator, app: App, inbox: Inbox, outcomes: Outcomes
) -> None:
    hoa = tg.user(2001, "Hoa")
    asked = await hoa.send("/help")
    assert asked.update_id is not None
    body = tg.feed.get(asked.update_id)
    assert await inbox.receive("telegram", str(hoa.id), str(asked.update_id), body)
    assert "/help" in (await tg.wait_reply(hoa, timeout=10)).text
    assert not await inbox.receive("telegram", str(hoa.id), str(asked.update_id), body)

    # Had its worker died before marking it done, another would take it once the claim ran
    # out: as if so.
    await inbox.stop()
    async with app.uow() as unit:
        await unit.session.execute(
            update(InboxUpdate).values(done_at=None, claimed_by="dead", claimed_until=None)
        )
        await unit.commit()
    inbox.start()
    await outcomes.until("duplicate")
    await inbox.stop()  # it records what it handled
    async with app.uow() as unit:
        (row,) = (await unit.session.scalars(select(InboxUpdate))).all()
        assert (row.claimed_by, row.attempts, row.done_at is not None) == ("worker", 2, True)
    assert outcomes.seen == ["handled", "duplicate"]
    assert len(tg.messages(hoa)) == 1
