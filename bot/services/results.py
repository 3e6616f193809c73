"""Progress (tiến độ), standings (xếp hạng) and the results announcement (công bố kết quả)."""

from __future__ import annotations

from bot.clock import Clock
from bot.storage.uow import UnitOfWorkFactory


class ResultsService:
    """Who has submitted, the ranking, and publishing the final results."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock
