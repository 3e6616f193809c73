"""The processed-updates log keeps a week: a periodic job forgets what is older."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.clock import FrozenClock
from bot.scheduler.jobs import FORGET_EVERY, KEEP_UPDATES
from bot.storage.models import ProcessedUpdate


async def claim(app: App, update_id: str) -> bool:
    async with app.uow() as unit:
        fresh = await unit.conversations.claim_update("telegram", update_id, app.clock.now())
        await unit.commit()
    return fresh


async def test_the_job_forgets_updates_older_than_a_week_and_keeps_the_rest(
    app: App, clock: FrozenClock
) -> None:
    assert await claim(app, "old")
    clock.advance(timedelta(days=2))
    assert await claim(app, "recent")
    clock.advance(KEEP_UPDATES - timedelta(days=1))  # "old" is 8 days old, "recent" 6

    (job,) = [job for job in app.jobs if job.name == "forget-updates"]
    await job.run()

    assert job.seconds == FORGET_EVERY
    async with app.uow() as unit:
        kept = await unit.session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert kept == 1
    assert not await claim(app, "recent")  # still a second delivery, ignored
