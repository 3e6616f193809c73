"""/template (/maubieu): the agency's self-score sheet as an XLSX to fill in, and reading it
back when the contact sends it.

The dialog waits for the file; each filled cell is checked exactly as a typed line ``I.1 24,5``
is (``parse_score``, the same reasons), the good ones are saved in one call and each bad one is
named by its cell; then the sheet dialog goes on as after typed lines (review and submit). A
file that is not a plain XLSX, too large, with a macro or a formula, or another agency's or
year's sheet, is refused whole: nothing of it is stored.

The filled sheet is read the same way when a contact sends it in a direct chat with no dialog
that takes files open (a workbook by its name, its type or, when neither says, its content),
and when it comes through the upload page that Zalo users get a link to, since Zalo passes no
documents to bots.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bot.domain.scores import ScoreError, parse_score
from bot.handlers import scoring, sheet_dialog, sheet_text
from bot.handlers.context import Context
from bot.handlers.formatting import excerpt
from bot.handlers.model import Attachment, AttachmentKind, IncomingFile, Outgoing, Upload
from bot.handlers.router import Audience, Command, Router
from bot.handlers.template_xlsx import (
    CONTENT_TYPE,
    MAX_BYTES,
    Filled,
    Refusal,
    Refused,
    check_name,
    file_name,
    is_workbook,
    read,
    said_to_be_workbook,
    workbook,
)
from bot.i18n import N_, _
from bot.services.people import Link
from bot.services.scoring import NoSeason, SheetView

FLOW = "template"
UPLOAD = "template"  # the purpose of the sheet's upload links
# Platforms that pass no documents to bots: the sheet comes back through the upload page.
THROUGH_PAGE = frozenset({"zalo"})


def register(router: Router) -> None:
    """Add /template and the dialog that waits for the filled file."""
    router.command(
        Command(
            "template",
            template,
            Audience.LINKED,
            N_("your agency's self-score sheet as a spreadsheet (XLSX) to fill in and send back"),
            ("maubieu",),
            in_group=False,
        )
    )
    router.flow(FLOW, typed, on_cancel=cancelled, media=received)
    router.stray_file(stray)
    router.upload(UPLOAD, uploaded)


async def template(ctx: Context, _args: str) -> None:
    """Send the sheet to fill in (not one that cannot change now), and wait for it back."""
    if (opened := await sheet_dialog.open_sheet(ctx)) is None:
        return
    link, sheet = opened
    if sheet.closed is not None:
        return sheet_dialog.show_closed(ctx, sheet, link)
    data = await asyncio.to_thread(
        workbook, sheet, link.bloc_code, link.agency_code, link.agency_name
    )
    name = file_name(link.agency_code, sheet.season_year)
    attachment = Attachment(AttachmentKind.DOCUMENT, name, CONTENT_TYPE, data=data)
    if _through_page(ctx):
        text = _(
            "The self-score sheet of {agency}, {year}: download it from the first link below, "
            "write the scores in the yellow column (no formulas), then open the second link to "
            "send the file back (Zalo does not pass files to bots). Send /cancel to stop."
        )
    else:
        text = _(
            "The self-score sheet of {agency}, {year}: write the scores in the yellow column "
            "(no formulas) and send the file back here. Send /cancel to stop."
        )
    text = text.format(agency=link.agency_name, year=sheet.season_year)
    ctx.conversation.start(FLOW)
    ctx.replies.add(Outgoing(text, attachments=(attachment,), upload=_upload(ctx, link)))


async def typed(ctx: Context, text: str) -> None:
    """Text while the file is awaited: say what is awaited."""
    link = ctx.link
    if _through_page(ctx) and link is not None:
        awaited = _(
            "I am waiting for the filled XLSX file from /template: send it by opening the link "
            "below, or /cancel to stop; to type scores instead, send /score."
        )
        ctx.replies.add(Outgoing(awaited, upload=_upload(ctx, link)))
        return
    ctx.tell(
        _(
            "I am waiting for the filled XLSX file from /template. Send it as a file, or "
            "/cancel to stop; to type scores instead, send /score."
        )
    )


def cancelled(_ctx: Context) -> str:
    return _("Stopped. Nothing was read from a file; your sheet is as it was.")


async def received(ctx: Context, caption: str) -> None:
    """The filled file: refused whole, or each input cell checked as a typed line."""
    link, file = ctx.link, ctx.incoming.file
    if link is None:
        ctx.conversation.end()
        return
    if file is None:
        if _through_page(ctx):
            await typed(ctx, caption)
        else:
            ctx.tell(_("Send the filled sheet as an XLSX file."))
        return
    await take(ctx, link, file)


async def stray(ctx: Context) -> bool:
    """A file sent with no dialog that takes files open: read it if it is a workbook (by its
    name or type, or when neither says, its content) and its sender a contact."""
    link, file = ctx.link, ctx.incoming.file
    if link is None or file is None or file.image:
        return False
    said = said_to_be_workbook(file.filename, file.content_type)
    if said is None:
        try:
            data = await file.fetch(MAX_BYTES)
        except ValueError:
            return False  # larger than any sheet: not one
        if not is_workbook(data):
            return False
        file = _fetched(file, data)
    elif not said:
        return False
    await take(ctx, link, file)
    return True


async def uploaded(ctx: Context, payload: str) -> None:
    """A file sent through the sheet's upload page, for the contact and agency its link
    names: read as in the dialog, whatever dialog is open."""
    _purpose, _sep, named = payload.partition(":")
    contact, _sep, agency = named.partition(":")
    link = next((a for a in ctx.person.links if str(a.agency_id) == agency), None)
    file = ctx.incoming.file
    if link is None or str(ctx.person.contact_id) != contact or file is None:
        ctx.reply(
            _(
                "This upload link no longer works: your account is no longer linked to that "
                "agency. Nothing was saved."
            )
        )
        return
    await take(ctx, link, file)


async def take(ctx: Context, link: Link, file: IncomingFile) -> None:
    """Read a filled sheet of ``link``'s agency: refused whole, or each input cell checked as
    a typed line; a sheet that cannot change now takes nothing."""
    try:
        sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
    except NoSeason:
        ctx.reply(_("Your bloc has no season to score yet."))
        return
    if sheet.closed is not None:
        return sheet_dialog.show_closed(ctx, sheet, link)
    try:
        check_name(file.filename, file.content_type)
        if file.size is not None and file.size > MAX_BYTES:
            raise Refused(Refusal.TOO_LARGE)
        try:
            data = await file.fetch(MAX_BYTES)
        except ValueError as error:
            raise Refused(Refusal.TOO_LARGE) from error
        filled = await asyncio.to_thread(read, data)
        _whose(filled, link, sheet)
    except Refused as refused:
        ctx.tell(refusal(refused, excerpt(file.filename)))
        return
    await _take(ctx, link, sheet, filled)


def _through_page(ctx: Context) -> bool:
    return ctx.incoming.platform in THROUGH_PAGE


def _upload(ctx: Context, link: Link) -> Upload | None:
    """Where the filled sheet is sent, on a platform that passes no files to bots."""
    if not _through_page(ctx):
        return None
    label = _("📤 Send the filled sheet of {agency} here:").format(agency=link.agency_name)
    return Upload(UPLOAD, ctx.person.contact_id, link.agency_id, label)


def _fetched(file: IncomingFile, data: bytes) -> IncomingFile:
    """``file`` whose bytes were fetched already."""

    async def fetch(limit: int) -> bytes:
        if len(data) > limit:
            raise ValueError(f"{file.filename} is larger than {limit} bytes")
        return data

    return IncomingFile(file.filename, file.content_type, len(data), fetch, file.image)


def _whose(filled: Filled, link: Link, sheet: SheetView) -> None:
    if filled.bloc.casefold() != link.bloc_code.casefold():
        raise Refused(Refusal.NOT_TEMPLATE)
    if filled.agency.casefold() != link.agency_code.casefold():
        raise Refused(Refusal.OTHER_AGENCY, filled.agency)
    if filled.year != str(sheet.season_year):
        raise Refused(Refusal.OTHER_YEAR, filled.year)


async def _take(ctx: Context, link: Link, sheet: SheetView, filled: Filled) -> None:
    good: dict[str, Decimal] = {}
    problems = []
    for cell, code, text in filled.cells:
        criterion = sheet.table.find(code)
        if criterion is None:
            problems.append(
                _("{cell}: there is no criterion {code}.").format(
                    cell=cell, code=excerpt(code, 20)
                )
            )
            continue
        try:
            good[criterion.code] = parse_score(text, criterion, sheet.table.step)
        except ScoreError as error:
            problems.append(f"{cell}: {sheet_text.problem(error)}")
    if len(problems) > scoring.MAX_PROBLEMS:
        more = len(problems) - scoring.MAX_PROBLEMS
        problems = [
            *problems[: scoring.MAX_PROBLEMS],
            _("…and {count} more cells that could not be read.").format(count=more),
        ]
    if not good:
        lead = _("Nothing was saved: the file has no score in the yellow column.")
        ctx.tell("\n".join([*problems, lead] if problems else [lead]))
        return
    ctx.conversation.start(sheet_dialog.FLOW)
    await sheet_dialog.record(ctx, sheet, link, list(good.items()), None, problems=problems)


def refusal(refused: Refused, name: str) -> str:
    """Why the whole file was refused, in one sentence; nothing of it was kept."""
    reason = refused.reason
    if reason is Refusal.MACROS:
        why = _("it is a workbook with macros; save it as a plain .xlsx workbook")
    elif reason is Refusal.TOO_LARGE:
        why = _("it is larger than {limit} MB").format(limit=MAX_BYTES // 1_000_000)
    elif reason is Refusal.FORMULA:
        why = _("cell {cell} holds a formula; type the number itself instead").format(
            cell=refused.cell
        )
    elif reason is Refusal.UNREADABLE:
        why = _("it could not be read as a workbook")
    elif reason is Refusal.OTHER_AGENCY:
        why = _("it is the sheet of {other}, not of your agency; send /template for yours").format(
            other=excerpt(refused.cell, 20)
        )
    elif reason is Refusal.OTHER_YEAR:
        why = _("it is the sheet of {year}, not of this season; send /template for this one")
        why = why.format(year=excerpt(refused.cell, 20))
    elif reason is Refusal.NOT_TEMPLATE:
        why = _("it is not the self-score sheet from /template")
    else:
        why = _("it is not an XLSX workbook")
    return _("“{name}” was not read, {why}. Nothing was saved.").format(name=name, why=why)
