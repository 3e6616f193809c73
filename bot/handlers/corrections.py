"""/correct: an operator corrects one final score after the results, with a reason."""

from __future__ import annotations

from bot.domain.scores import ScoreError
from bot.handlers import sheet_text
from bot.handlers.context import Context
from bot.handlers.correction_text import corrected
from bot.handlers.formatting import excerpt, points
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _
from bot.services.corrections import (
    NoSheet,
    NotFinal,
    ReasonRequired,
    UnknownAgency,
    UnknownCriterion,
)
from bot.services.scoring import NoSeason

USAGE = N_("Send /correct AGENCY CRITERION VALUE REASON, e.g. /correct thue I.1 12,5 {example}")


def register(router: Router) -> None:
    """Add /correct."""
    router.command(
        Command(
            "correct",
            correct,
            Audience.OPERATORS,
            N_("correct a final score after the results (operators, with a reason)"),
            ("dieuchinh",),
            in_group=False,
        )
    )


def _usage() -> str:
    return _(USAGE).format(example=_("the scan of the decision shows 12,5"))


async def correct(ctx: Context, args: str) -> None:
    """Change one final value, show old → new and the agency's new total and rank."""
    bloc_id = ctx.bloc_id
    if bloc_id is None:
        ctx.reply(_("Choose the bloc first with /bloc CODE."))
        return
    parts = args.split(maxsplit=3)
    if len(parts) < 3:
        ctx.reply(_usage())
        return
    agency, code, value = parts[:3]
    reason = parts[3] if len(parts) > 3 else ""
    try:
        done = await ctx.services.corrections.correct(
            bloc_id, ctx.person.contact_id, agency, code, value, reason
        )
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
    except NotFinal:
        ctx.reply(
            _(
                "The final results are not announced yet: scores change by the sheets and "
                "the review until then, not by /correct."
            )
        )
    except UnknownAgency:
        ctx.reply(
            _("No member agency has the code {code}. {usage}").format(
                code=excerpt(agency), usage=_usage()
            )
        )
    except UnknownCriterion:
        ctx.reply(
            _("The scoring table has no criterion {code}. {usage}").format(
                code=excerpt(code), usage=_usage()
            )
        )
    except NoSheet:
        ctx.reply(
            _("{code} never started a sheet: it has no scores to correct.").format(code=agency)
        )
    except ScoreError as error:
        ctx.reply(sheet_text.problem(error))
    except ReasonRequired:
        ctx.reply(
            _("A correction needs a reason, written after the value. {usage}").format(
                usage=_usage()
            )
        )
    else:
        if not done.changed:
            ctx.reply(
                _("The final score of {agency} for {code} is already {value}: nothing changed.")
                .format(agency=done.agency.name, code=done.criterion.code, value=points(done.new))
            )  # fmt: skip
            return
        told = _("The head and the agency's contacts have been told, with the reason.")
        ctx.reply(f"{corrected(done)}\n{told}")
