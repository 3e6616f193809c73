"""/export [YEAR] (/xuat): the summary table of scores as an XLSX file, for the head, deputies
and operators."""

from __future__ import annotations

from bot.handlers.context import Context
from bot.handlers.formatting import excerpt
from bot.handlers.model import Attachment, AttachmentKind, Outgoing
from bot.handlers.rendering import rendered
from bot.handlers.results import bloc_of
from bot.handlers.router import Audience, Command, Router
from bot.handlers.workbooks import XLSX, stage_name, summary_file_name
from bot.i18n import N_, _
from bot.services.exports import ExportTable
from bot.services.scoring import NoSeason


def register(router: Router) -> None:
    """Add /export."""
    router.command(
        Command(
            "export",
            export,
            Audience.LEADERS,
            N_("the summary table of scores as a spreadsheet (XLSX)"),
            ("xuat",),
        )
    )


async def export(ctx: Context, args: str) -> None:
    """Send the summary table of the bloc's latest season, or of the year given."""
    bloc_id = bloc_of(ctx)
    if bloc_id is None:
        return
    words = args.split()
    if len(words) > 1 or (words and not (words[0].isdigit() and len(words[0]) == 4)):
        shown = excerpt(args, 20)
        ctx.reply(
            _("“{text}” is not a year: send /export, or /export and a year such as 2021.").format(
                text=shown
            )
        )
        return
    year = int(words[0]) if words else None
    try:
        table = await ctx.services.exports.table(bloc_id, year)
    except NoSeason:
        if year is None:
            ctx.reply(_("The bloc has no emulation season yet."))
        else:
            ctx.reply(_("The bloc has no emulation season of {year}.").format(year=year))
        return
    ctx.replies.attach_later(Outgoing(holds(table)), lambda: _workbook(table))


async def _workbook(table: ExportTable) -> Attachment:
    """The workbook, written once the update's work is committed (the database is free for
    everyone else meanwhile), in the drawing process (the event loop too)."""
    from bot.handlers.export_xlsx import workbook  # openpyxl, loaded when first used

    data = await rendered(workbook, table)
    return Attachment(AttachmentKind.DOCUMENT, summary_file_name(table), XLSX, data=data)


def holds(table: ExportTable) -> str:
    """The line sent with the file: what it holds."""
    ranked = len(table.standings.placings)
    stage = stage_name(table)
    return _(
        "Summary table of scores of {bloc}, {year} ({stage}): {agencies} agencies, "
        "{ranked} ranked; one sheet per agency with its notes and evidence."
    ).format(
        bloc=table.bloc_name,
        year=table.year,
        stage=stage,
        agencies=len(table.agencies),
        ranked=ranked,
    )
