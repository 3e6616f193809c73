"""Platform-neutral commands and dialogs: Incoming -> service calls -> Outgoing.

The feature modules load with the router (``build_router``), not with the package: a command
line that needs only the handlers' texts (the services take them) does not load every dialog.
"""

from __future__ import annotations

from bot.handlers.context import Begin
from bot.handlers.router import Router


def build_router(begin: Begin, default_locale: str = "vi") -> Router:
    """The router with every feature registered, in the order /help lists them."""
    from bot.handlers import (
        announce,
        ballots,
        chart,
        corrections,
        events,
        evidence,
        export,
        history,
        meeting_place,
        members,
        papers,
        results,
        review,
        scoring,
        seasons,
        sheet_admin,
        start,
        template,
        tracking,
    )

    router = Router(begin, default_locale)
    start.register(router)
    scoring.register(router)
    template.register(router)
    evidence.register(router)
    results.register(router)
    chart.register(router)
    export.register(router)
    papers.register(router)
    announce.register(router)
    history.register(router)
    sheet_admin.register(router)
    review.register(router)
    events.register(router)
    members.register(router)
    tracking.register(router)
    meeting_place.register(router)
    ballots.register(router)
    corrections.register(router)
    seasons.register(router)
    return router
