"""The console's ``:time``: the demo's clock moved forward, sending what becomes due meanwhile."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.channels.console_input import time_target
from bot.clock import OffsetClock
from bot.i18n import N_, _

STEP = timedelta(hours=1)  # ``:time`` walks forward this much at a time, firing what is due
_WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


async def move_time(
    clock: OffsetClock | None,
    fire: Callable[[], Awaitable[object]] | None,
    timezone: str,
    text: str,
) -> str:
    """Move the demo clock to where ``text`` says, an hour at a time, sending what becomes due;
    what to tell the person (the new time, or why the clock did not move)."""
    if clock is None or fire is None:
        return _("The clock cannot be moved here.")
    if text:
        target = time_target(text, clock.now(), timezone)
        if target is None:
            return _("Write :time +3d, :time +2h30m, :time 22:00 or :time {day} 17:00.").format(
                day=example_day(clock, timezone)
            )
        if target < clock.now():
            return _("The clock only moves forward: it is {now} already.").format(
                now=_local(clock.now(), timezone).strftime("%d/%m/%Y %H:%M")
            )
        while clock.now() < target:
            clock.advance(min(STEP, target - clock.now()))
            await fire()
    local = _local(clock.now(), timezone)
    return _("Now: {weekday} {time}").format(
        weekday=_(_WEEKDAYS[local.weekday()]), time=local.strftime("%d/%m/%Y %H:%M")
    )


def example_day(clock: OffsetClock | None, timezone: str) -> str:
    """Tomorrow on the demo's clock, ``20/11/2025``: a date ``:time`` accepts now."""
    now = clock.now() if clock else datetime.now().astimezone()
    return (_local(now, timezone) + timedelta(days=1)).strftime("%d/%m/%Y")


def _local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))
