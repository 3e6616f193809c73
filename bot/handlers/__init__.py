"""Platform-neutral commands and dialogs: Incoming -> service calls -> Outgoing."""

from __future__ import annotations

from bot.handlers import ballots, events, results, scoring, start
from bot.handlers.context import Begin
from bot.handlers.router import Router


def build_router(begin: Begin, default_locale: str = "vi") -> Router:
    """The router with every feature registered, in the order /help lists them."""
    router = Router(begin, default_locale)
    start.register(router)
    scoring.register(router)
    results.register(router)
    events.register(router)
    ballots.register(router)
    return router
