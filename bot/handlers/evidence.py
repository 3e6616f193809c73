"""Evidence (minh chứng): /evidence [CODE] to attach photos, files and links to a criterion of
the agency's sheet; /evidence AGENCY [CODE] for the head or a deputy to open an agency's.

The dialog remembers the criterion (``at``); every photo or file sent while it is open is
checked, fetched and acknowledged with its name and the criterion's count; a link is kept
with the words after it as its caption; /done (or the button) ends it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain.criteria import Criterion
from bot.domain.typed import fold
from bot.handlers import evidence_text, sheet_dialog, sheet_text
from bot.handlers.context import Context
from bot.handlers.formatting import excerpt
from bot.handlers.model import Attachment, AttachmentKind, Button, Outgoing
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _
from bot.services.evidence import Added, Piece, Refused, is_link
from bot.services.people import Link
from bot.services.scoring import NoSeason, SheetClosed, SheetView

FLOW = "evidence"
DONE_WORDS = {"done", "xong", "ket thuc", "het"}
PER_ROW = 3  # criterion buttons on a row


def register(router: Router) -> None:
    router.command(
        Command(
            "evidence",
            evidence,
            Audience.LINKED,
            N_("attach evidence (photos, files, links) to a criterion of your sheet"),
            ("minhchung",),
            in_group=False,
        )
    )
    router.flow(FLOW, typed, on_cancel=cancelled, media=received)
    router.button("ev", press)


async def evidence(ctx: Context, args: str) -> None:
    """Choose a criterion (or go to ``CODE``); a leader's ``AGENCY [CODE]`` opens an agency's."""
    words = args.split()
    link = ctx.link
    leader = link is not None and bool(words) and ctx.person.leads(link.bloc_id)
    if link is not None and leader and await _other_agency(ctx, link, words):
        agency = await ctx.services.evidence.agency(link.bloc_id, words[0])
        if agency is not None:
            await _open(ctx, link, agency, words[1] if len(words) > 1 else None)
            return
        if len(words) > 1:
            ctx.reply(
                _("There is no agency {code} in the bloc.").format(code=excerpt(words[0], 20))
            )
            return
    opened = await sheet_dialog.open_sheet(ctx)
    closed = opened is not None and opened[1].closed is not None
    if opened is None or closed:
        if opened is not None:
            sheet_dialog.show_closed(ctx, opened[1], opened[0])  # evidence goes with the scores
        return
    link, sheet = opened
    criterion = sheet.table.find(words[0]) if words else None
    if criterion is not None:
        await ask(ctx, link, criterion)
        return
    lead = _("There is no criterion {code}.").format(code=excerpt(args, 20)) if words else ""
    await choose(ctx, link, sheet, lead)


async def _other_agency(ctx: Context, link: Link, words: list[str]) -> bool:
    """Whether a leader's words name an agency (two words, or one that is not a criterion)."""
    if len(words) > 1:
        return True
    try:
        sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
    except NoSeason:
        return True
    return sheet.table.find(words[0]) is None


async def choose(ctx: Context, link: Link, sheet: SheetView, lead: str = "") -> None:
    """Ask which criterion the evidence is for: a button per criterion, with its count."""
    counts = await ctx.services.evidence.counts(link.bloc_id, link.agency_id)
    rules = await ctx.services.evidence.rules(link.bloc_id)
    buttons = [
        Button(
            evidence_text.count(c.code, counts[c.code]) if counts.get(c.code) else c.code,
            f"ev:at:{c.code}",
            c.code,
        )
        for c in sheet.table.criteria()
    ]
    rows = [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    ctx.conversation.start(FLOW)
    text = "\n".join(part for part in (lead, evidence_text.choose(rules)) if part)
    ctx.reply(text, rows, menu=True)


async def ask(ctx: Context, link: Link, criterion: Criterion, lead: str = "") -> None:
    """Show what ``criterion`` has and what may be sent for it; remember it."""
    service = ctx.services.evidence
    pieces = await service.pieces(link.bloc_id, link.agency_id, criterion.code)
    rules = await service.rules(link.bloc_id)
    ctx.conversation.start(FLOW, at=criterion.code)
    text = evidence_text.prompt(criterion, pieces, rules, ctx.incoming.platform)
    rows = [[Button(f"🗑 {excerpt(p.name, 24)}", f"ev:rm:{p.id}")] for p in pieces]
    rows.append(
        [
            Button(_("Done"), "ev:done"),
            Button(_("Another criterion"), "ev:pick"),
        ]
    )
    ctx.reply("\n".join(part for part in (lead, text) if part), rows, menu=True)


async def typed(ctx: Context, text: str) -> None:
    """A link (with its caption), a criterion code, or "done" while the dialog is open."""
    link = ctx.link
    if link is None:
        ctx.conversation.end()
        return
    at = ctx.conversation.data.get("at")
    first, _sep, rest = text.partition(" ")
    if fold(text) in DONE_WORDS:
        await done(ctx, "")
    elif first.lower().startswith(("http://", "https://", "www.")) or is_link(first):
        if not at:
            ctx.tell(_("Choose the criterion first, then send the link."))
            return
        await _keep(ctx, link, lambda: _add_link(ctx, link, at, first, rest))
    else:
        sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
        criterion = sheet.table.find(text.strip())
        if criterion is not None:
            await ask(ctx, link, criterion)
        elif at:
            ctx.tell(
                _(
                    "Send a photo, a file or a link for {code}, a criterion's code to move to "
                    "it, or /done to finish."
                ).format(code=at)
            )
        else:
            await choose(
                ctx, link, sheet, _("There is no criterion {code}.").format(code=excerpt(text, 20))
            )


async def received(ctx: Context, caption: str) -> None:
    """A photo or file (or a message the bot cannot read) while the dialog is open."""
    link, file = ctx.link, ctx.incoming.file
    at = ctx.conversation.data.get("at")
    if link is None:
        ctx.conversation.end()
        return
    if file is None:
        ctx.tell(evidence_text.not_file(ctx.incoming.platform))
        return
    if not at:
        ctx.tell(_("Choose the criterion first, then send the file again."))
        return

    async def add() -> Added:
        return await ctx.services.evidence.add_file(
            link.bloc_id,
            link.agency_id,
            ctx.person.contact_id,
            at,
            file.filename,
            file.content_type,
            file.size,
            file.fetch,
            caption or None,
        )

    await _keep(ctx, link, add, file.filename)


async def _add_link(ctx: Context, link: Link, at: str, url: str, caption: str) -> Added:
    if url.lower().startswith("www."):
        url = "https://" + url
    return await ctx.services.evidence.add_link(
        link.bloc_id, link.agency_id, ctx.person.contact_id, at, url, caption or None
    )


async def _keep(
    ctx: Context, link: Link, add: Callable[[], Awaitable[Added]], filename: str = ""
) -> None:
    """Add a piece and say so (or why not); a closed sheet ends the dialog."""
    try:
        added = await add()
    except Refused as error:
        ctx.tell(evidence_text.refused(error, filename))
        return
    except SheetClosed as closed:
        sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
        ctx.reply(sheet_text.closed(closed.reason, sheet, link.bloc_timezone))
        ctx.conversation.end()
        return
    say = evidence_text.again if added.again else evidence_text.saved
    ctx.reply(
        say(added.piece, added.count),
        [[Button(_("Done"), "ev:done")]],
        menu=True,
    )


async def done(ctx: Context, _args: str) -> None:
    """End the dialog, with what each criterion has."""
    link = ctx.link
    if ctx.conversation.flow != FLOW or link is None:
        ctx.reply(_("No evidence is being sent. Start with /evidence."))
        return
    ctx.conversation.end()
    sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
    counts = await ctx.services.evidence.counts(link.bloc_id, link.agency_id)
    order = [c.code for c in sheet.table.criteria()]
    ctx.reply(evidence_text.finished(counts, order))


async def press(ctx: Context, payload: str) -> None:
    _prefix, _sep, rest = payload.partition(":")
    action, _sep, value = rest.partition(":")
    link = ctx.link
    if link is None:
        ctx.notice(_("This button has expired."))
        return
    if action == "done":
        await done(ctx, "")
        return
    try:
        sheet = await ctx.services.scoring.sheet(link.bloc_id, link.agency_id)
    except NoSeason:
        ctx.notice(_("This button has expired."))
        return
    if action == "pick":
        await choose(ctx, link, sheet)
    elif action == "at" and (criterion := sheet.table.find(value)) is not None:
        await ask(ctx, link, criterion)
    elif action == "rm" and value.isdigit():
        await _remove(ctx, link, sheet, int(value))
    else:
        ctx.notice(_("This button has expired."))


async def _remove(ctx: Context, link: Link, sheet: SheetView, piece_id: int) -> None:
    try:
        piece = await ctx.services.evidence.remove(
            link.bloc_id, link.agency_id, ctx.person.contact_id, piece_id
        )
    except LookupError:
        ctx.notice(_("This button has expired."))
        return
    except SheetClosed as closed:
        ctx.reply(sheet_text.closed(closed.reason, sheet, link.bloc_timezone))
        ctx.conversation.end()
        return
    criterion = sheet.table.find(piece.code)
    if criterion is not None:
        await ask(ctx, link, criterion, evidence_text.removed(piece))
    else:
        ctx.reply(evidence_text.removed(piece))


def cancelled(ctx: Context) -> str:
    return _("The evidence sent so far is kept.")


async def _open(ctx: Context, link: Link, agency: tuple[int, str], code: str | None) -> None:
    """Send a leader an agency's evidence: one criterion's pieces, or the counts of all."""
    agency_id, name = agency
    service = ctx.services.evidence
    sheet = await ctx.services.scoring.sheet(link.bloc_id, agency_id)
    order = [c.code for c in sheet.table.criteria()]
    if code is None:
        counts = await service.counts(link.bloc_id, agency_id)
        ctx.reply(evidence_text.agency_summary(name, counts, order))
        return
    criterion = sheet.table.find(code)
    if criterion is None:
        ctx.reply(_("There is no criterion {code}.").format(code=excerpt(code, 20)))
        return
    pieces = await service.pieces(link.bloc_id, agency_id, criterion.code)
    lines = [evidence_text.opened(name, criterion.code, len(pieces))]
    lines.extend(f"• {evidence_text.line(piece)}" for piece in pieces)
    files = tuple(_attachment(p) for p in pieces if p.kind == "file" and p.ref)
    ctx.replies.add(Outgoing("\n".join(lines), attachments=files))


def _attachment(piece: Piece) -> Attachment:
    kind = AttachmentKind.IMAGE if piece.image else AttachmentKind.DOCUMENT
    return Attachment(kind, piece.filename, piece.content_type, file_ref=piece.ref)
