"""Long polling of getUpdates that never stops: bad updates skipped, lost connections waited out.

The poller reads getUpdates on the channel's client and feeds the Application's update queue
(the Application is built without PTB's Updater), as a webhook would. Each update is read once,
alone (``read_updates``): one malformed update never fails the others of its answer.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from datetime import timedelta

from telegram import Bot

from bot.channels.reaching import Backoff, address
from bot.channels.reporting import State
from bot.channels.telegram_api import BotApi, BotApiError, BotApiUnreachable, flood_wait, reason
from bot.channels.telegram_updates import read_updates
from bot.i18n import _

log = logging.getLogger(__name__)

CONFIRM_TIMEOUT = 5.0  # seconds the last getUpdates at stop (confirming what was read) may take

__all__ = ["Poller", "reason"]


class Poller:
    """Reads updates by long polling and puts them in ``queue``, until stopped.

    The offset moves past every update of an answer, the malformed ones too (skipped with a
    warning), so none of them is fetched twice. Updates are read with ``bot`` (their files are
    downloaded through it).
    """

    def __init__(
        self,
        api: BotApi,
        bot: Bot,
        queue: asyncio.Queue[object],
        base_url: str,
        allowed_updates: list[str],
        timeout: timedelta,
        state: State | None = None,
    ) -> None:
        self.api = api
        self.bot = bot
        self.state = state
        self.queue = queue
        self.address = address(base_url)
        self.allowed_updates = allowed_updates
        self.timeout = timeout
        self.offset: int | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Poll in the background."""
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop polling and confirm to Telegram the updates read so far."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        if self.offset is None:
            return
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                await self.api.call(
                    "getUpdates",
                    offset=self.offset,
                    timeout=0,
                    allowed_updates=self.allowed_updates,
                )
        except (BotApiError, BotApiUnreachable, TimeoutError) as error:
            log.info("could not confirm the updates read (%s): they may come again", error)

    async def _run(self) -> None:
        backoff = Backoff()
        wait = self.timeout.total_seconds()
        while True:
            try:
                answer = await self.api.call(
                    "getUpdates",
                    wait=wait,
                    offset=self.offset,
                    timeout=int(wait),
                    allowed_updates=self.allowed_updates,
                )
            except Exception as error:  # network, 5xx, 409, a revoked token, anything
                if isinstance(error, BotApiError) and error.flood:
                    await asyncio.sleep(flood_wait(error))
                    continue
                pause = backoff.next()
                if self.state is not None:
                    self.state.failing(reason(error))
                log.warning(
                    _(
                        "Could not read messages from Telegram at {address} ({reason}); "
                        "trying again in {seconds:g} s."
                    ).format(address=self.address, reason=reason(error), seconds=pause)
                )
                log.debug("getUpdates failed", exc_info=error)
                await asyncio.sleep(pause)
                continue
            if self.state is not None:
                self.state.ok()
            if backoff.reset():
                log.info(
                    _("Telegram at {address} answers again; reading messages.").format(
                        address=self.address
                    )
                )
            offset, updates = read_updates(answer, self.bot)
            if offset is not None:
                self.offset = offset
            for update in updates:
                await self.queue.put(update)
