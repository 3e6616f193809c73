"""``blocbot run``: starts what the App built for it (channels, web server, outbox dispatcher,
jobs), until SIGINT or SIGTERM, and stops it all.

The outbox dispatcher and the periodic jobs run while this replica leads (``Leading``, the
duty of ``bot.scheduler.leadership``): one replica at a time sends, so all of them together
stay within the platforms' limits. Jobs marked ``everywhere`` run in every replica.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Awaitable, Iterator, Sequence
from contextlib import contextmanager, suppress

from bot.app import build
from bot.app.running import RunningChannel
from bot.config import Settings
from bot.i18n import _
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.jobs import PeriodicJob, Scheduler
from bot.scheduler.leadership import Leadership
from bot.storage.migrate import upgrade

log = logging.getLogger("bot")

STOP_WAIT = 10.0  # seconds the dispatcher and jobs get to finish what they are sending
# A replica that takes the lead sends nothing for this long: the leader before it may have
# sent a second's worth just before it died, and the two must not add up within one second.
HANDOVER_PAUSE = 1.0


async def run(settings: Settings) -> int:
    """Run the bot until SIGINT or SIGTERM; 2 when no channel has a token."""
    app = build(settings)
    running = app.running()
    wanted, server = running.channels, running.server
    if not wanted:
        await app.close()
        print(
            _(
                "No channel is set up. Set BLOCBOT_TELEGRAM_TOKEN to the token @BotFather gave "
                "your bot, or BLOCBOT_ZALO_TOKEN to the one Zalo Bot Manager gave it (in the "
                "environment or in a .env file), then run blocbot run again.\n"
                "To try blocbot without a token, run: blocbot demo"
            ),
            file=sys.stderr,
        )
        return 2
    configure_logging()
    started: list[RunningChannel] = []
    serving = False
    leading: asyncio.Task[None] | None = None
    jobs = Scheduler()  # those that run everywhere
    with stop_signals() as stop:
        try:
            await upgrade(settings.database_url)
            await warn_of_templates(settings)
            await server.start()  # the webhooks are there before the platforms are told of them
            serving = True
            for channel in wanted:
                started.append(channel)  # stopped at the end even if its start is cut short
                if not await until_stopped(channel.start(), stop):
                    break
            else:
                if running.inbox is not None:
                    running.inbox.start()  # the webhooks' updates, received so far and to come
                periodic = [job for job in running.jobs if not job.everywhere]
                duty = Leading(running.dispatcher, periodic, started)
                leading = asyncio.create_task(running.leadership.run(duty), name="leadership")
                for job in running.jobs:
                    if job.everywhere:
                        jobs.add(job)
                jobs.start()
                settle_memory()
                labels = ", ".join(channel.label for channel in started)
                log.info("blocbot is running (%s)", labels)
                await stop.wait()
            log.info("stopping")
        except Exception as error:
            # One line for the operator; the traceback only at debug level.
            log.error(_("blocbot could not run: {error}").format(error=str(error) or repr(error)))
            log.debug("blocbot could not run", exc_info=error)
            return 1
        finally:
            if running.inbox is not None:
                await running.inbox.stop()  # the updates in hand finish; the rest wait
            await jobs.shutdown(STOP_WAIT)
            await stop_leading(running.leadership, leading)
            for channel in reversed(started):
                try:
                    await channel.stop()
                except Exception as error:
                    log.warning("could not stop a channel cleanly: %r", error)
                    log.debug("could not stop a channel cleanly", exc_info=error)
            if serving:
                await server.stop()
            await app.close()
    log.info("stopped")
    return 0


def settle_memory() -> None:
    """Leave what start-up built (modules, mappings, catalogs: some 150,000 objects) out of the
    garbage collector's full passes, which otherwise stop every reply for about 50 ms each
    time one runs."""
    gc.collect()
    gc.freeze()


async def warn_of_templates(settings: Settings) -> None:
    """Tell the operator, one line each, what is wrong with the templates in
    BLOCBOT_TEMPLATES; the bot runs all the same (only the paper asked for fails)."""
    if settings.templates is None:
        return
    from bot.handlers.docx_papers import check_templates

    try:
        problems = await asyncio.to_thread(check_templates, settings.templates)
    except OSError as error:  # the folder went away, or may not be read
        problems = [f"{settings.templates}: {error.strerror or error}"]
    for problem in problems:
        log.warning("%s", problem)


async def until_stopped(work: Awaitable[None], stop: asyncio.Event) -> bool:
    """Await ``work`` unless ``stop`` is set first (then cancel it); True when it finished."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait((task, stopping), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if task.done():
        task.result()  # its error, if it failed
        return True
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
    return False


class Leading:
    """What the leading replica runs: the outbox dispatcher and the periodic jobs."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        jobs: list[PeriodicJob],
        channels: Sequence[RunningChannel] = (),
    ) -> None:
        self.dispatcher = dispatcher
        self.jobs = jobs
        self.channels = channels
        self._sending: asyncio.Task[None] | None = None
        self._scheduler: Scheduler | None = None

    async def start(self) -> None:
        self._sending = asyncio.create_task(self.dispatcher.run(HANDOVER_PAUSE), name="outbox")
        self._scheduler = Scheduler()
        for job in self.jobs:
            self._scheduler.add(job)
        self._scheduler.start()
        for channel in self.channels:
            channel.lead()

    async def stop(self) -> None:
        """Stop claiming messages at once, then let what is in flight finish."""
        self.dispatcher.stop()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            await scheduler.shutdown(STOP_WAIT)
        sending, self._sending = self._sending, None
        await stop_sending(self.dispatcher, sending)


async def stop_leading(leadership: Leadership, task: asyncio.Task[None] | None) -> None:
    """Stop the duty (the sends in flight finish) and let the lead go to another replica."""
    if task is None:
        return
    leadership.stop()
    try:
        await asyncio.wait_for(task, 3 * STOP_WAIT)
    except TimeoutError:
        log.warning("the leadership did not stop in %g s", 3 * STOP_WAIT)
    except Exception:
        log.exception("the leadership failed")


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


class OneLineErrors(logging.Formatter):
    """An error with its traceback as one line, its type and message at the end, unless
    logging is at DEBUG: the operator's terminal reads what failed, a developer asks for the
    rest."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and not logging.getLogger().isEnabledFor(logging.DEBUG):
            _kind, error, _trace = record.exc_info
            line = f"{record.getMessage()} ({type(error).__name__}: {str(error)[:300]})"
            fields = {**record.__dict__, "msg": line, "args": (), "exc_info": None}
            record = logging.makeLogRecord({**fields, "exc_text": None})
        return super().format(record)


def configure_logging() -> None:
    """INFO lines with time, level and logger, errors in one line each; the HTTP client only
    when it warns."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        OneLineErrors("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    for noisy in ("httpx", "httpcore", "telegram.ext.Application", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
