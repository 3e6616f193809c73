"""``blocbot run``: every channel with a token, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from bot.app import App, build
from bot.channels.hub import Hub
from bot.config import Settings
from bot.i18n import _
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.jobs import Scheduler
from bot.storage.migrate import upgrade

log = logging.getLogger("bot")

STOP_WAIT = 10.0  # seconds the dispatcher and jobs get to finish what they are sending


class RunningChannel(Protocol):
    """A channel the runner starts and stops."""

    @property
    def label(self) -> str:
        """How the log names it: ``telegram: @username``."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def channels(settings: Settings, app: App, hub: Hub) -> list[RunningChannel]:
    """The channels whose token is set."""
    found: list[RunningChannel] = []
    if settings.telegram_token:
        from bot.channels.telegram import TelegramChannel

        found.append(TelegramChannel(settings, app.router, hub))
    return found


async def run(settings: Settings) -> int:
    """Run the bot until SIGINT or SIGTERM; 2 when no channel has a token."""
    app = build(settings)
    hub = Hub()
    wanted = channels(settings, app, hub)
    if not wanted:
        await app.close()
        print(
            _(
                "No channel is set up. Set BLOCBOT_TELEGRAM_TOKEN to the token @BotFather gave "
                "your bot (in the environment or in a .env file), then run blocbot run again.\n"
                "To try blocbot without a token, run: blocbot demo"
            ),
            file=sys.stderr,
        )
        return 2
    configure_logging()
    started: list[RunningChannel] = []
    dispatcher = app.dispatcher(hub)
    sending: asyncio.Task[None] | None = None
    jobs = Scheduler()
    with stop_signals() as stop:
        try:
            await upgrade(settings.database_url)
            for channel in wanted:
                await channel.start()
                started.append(channel)
            sending = asyncio.create_task(dispatcher.run(), name="outbox")
            for job in app.jobs:
                jobs.add(job)
            jobs.start()
            log.info("blocbot is running (%s)", ", ".join(channel.label for channel in started))
            await stop.wait()
            log.info("stopping")
        except Exception:
            log.exception("blocbot could not run")
            return 1
        finally:
            await jobs.shutdown(STOP_WAIT)
            await stop_sending(dispatcher, sending)
            for channel in reversed(started):
                try:
                    await channel.stop()
                except Exception:
                    log.exception("could not stop %s cleanly", channel.label)
            await app.close()
    log.info("stopped")
    return 0


async def stop_sending(dispatcher: Dispatcher, task: asyncio.Task[None] | None) -> None:
    """Let the dispatcher finish the sends in flight; cancel it if it takes too long."""
    if task is None:
        return
    dispatcher.stop()
    try:
        await asyncio.wait_for(task, STOP_WAIT)
    except TimeoutError:
        log.warning("the outbox dispatcher did not stop in %g s", STOP_WAIT)
    except Exception:
        log.exception("the outbox dispatcher failed")


@contextmanager
def stop_signals() -> Iterator[asyncio.Event]:
    """An event set by SIGINT or SIGTERM while inside the block."""
    loop = asyncio.get_running_loop()
    event = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    for number in signals:
        loop.add_signal_handler(number, event.set)
    try:
        yield event
    finally:
        for number in signals:
            loop.remove_signal_handler(number)


def configure_logging() -> None:
    """INFO lines with time, level and logger; the HTTP client only when it warns."""
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    for noisy in ("httpx", "httpcore", "telegram.ext.Application", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
