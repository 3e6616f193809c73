"""Platform-neutral commands and dialogs: Incoming -> service calls -> Outgoing."""

from __future__ import annotations

from bot.handlers import events, results, scoring, start
from bot.handlers.context import Services
from bot.handlers.router import Router


def build_router(services: Services, default_locale: str = "vi") -> Router:
    """The router with every feature registered, in the order /help lists them."""
    router = Router(services, default_locale)
    start.register(router)
    scoring.register(router)
    results.register(router)
    events.register(router)
    return router
