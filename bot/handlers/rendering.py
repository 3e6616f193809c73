"""Drawing and writing files in a worker process of their own.

A picture of 50 agencies takes about a second of CPU in matplotlib, a 50-agency workbook half a
second in openpyxl. In a thread of the bot's process that work holds Python's lock most of the
time, and every other update, whose database calls hop between threads, waits for it: other
people's replies slowed down fifteen times while the head asked for files. In a process of its
own it runs on another core and the bot's event loop does not feel it.

One worker process, started when the first file is asked for ("spawn": nothing of the running
bot is copied into it) and at a lower priority than the bot (where both want the same core, the
replies go first), renders in the language the caller speaks; files asked for together wait
their turn for it. If it cannot be started or
dies, the work runs in a thread instead, as before, and the next call tries a new process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from bot.i18n import current_locale, use_locale

log = logging.getLogger(__name__)

T = TypeVar("T")

_pool: Executor | None = None


def _in_locale(locale: str, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    with use_locale(locale):
        return work(*args)


_niceness = 10  # added to the worker's scheduling priority (0: the bot's, 19: the lowest)


def set_niceness(niceness: int) -> None:
    """How much lower than the bot's the priority of the worker started next is
    (``BLOCBOT_RENDER_NICENESS``)."""
    global _niceness
    _niceness = niceness


def shutdown_worker() -> None:
    """Stop the worker process, if one runs; the next call starts a new one."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _lower_priority(niceness: int) -> None:
    with contextlib.suppress(OSError, AttributeError):  # not on every system
        os.nice(niceness)


def _executor() -> Executor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_lower_priority,
            initargs=(_niceness,),
        )
    return _pool


async def rendered(work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in the worker process, in the current language; in a thread when
    ``work`` or its arguments cannot go to another process."""
    global _pool
    locale = current_locale()
    if not portable(work, args):
        return await asyncio.to_thread(_in_locale, locale, work, args)
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_executor(), _in_locale, locale, work, args)
    except (BrokenProcessPool, OSError) as error:
        log.warning("the drawing process failed (%s): drawing in a thread instead", error)
        broken, _pool = _pool, None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)
        return await asyncio.to_thread(_in_locale, locale, work, args)


def portable(work: Callable[..., Any], args: tuple[Any, ...]) -> bool:
    """Whether the worker process would run this very function on these arguments: a module's
    own function (not one replaced in its module, as a test does) and arguments that pickle."""
    module = sys.modules.get(getattr(work, "__module__", ""), None)
    if module is None or getattr(module, getattr(work, "__qualname__", ""), None) is not work:
        return False
    try:
        pickle.dumps(args)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True
