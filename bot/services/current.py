"""The bloc's current season, as the use cases read it."""

from __future__ import annotations

from bot.services.scoring import NoSeason
from bot.storage.models import Bloc, Season
from bot.storage.uow import UnitOfWork


async def current_season(unit: UnitOfWork, bloc_id: int) -> tuple[Season, Bloc]:
    """The bloc's latest season (loaded with its table, members and events) and the bloc;
    NoSeason when it has none."""
    season = await unit.seasons.latest(bloc_id)
    bloc = await unit.blocs.by_id(bloc_id)
    if season is None or bloc is None:
        raise NoSeason(bloc_id)
    return season, bloc
