"""/minutes (/bienban) and /proposal (/totrinh): the year-end meeting's minutes and the
proposal for awards as Word documents, for the head, deputies and operators."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.handlers.context import Context
from bot.handlers.formatting import excerpt
from bot.handlers.model import Attachment, AttachmentKind, Outgoing
from bot.handlers.rendering import rendered
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _
from bot.services.documents import Papers, UnknownMeeting
from bot.services.scoring import NoSeason

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MINUTES = N_("the minutes of the year-end meeting as a Word document; /minutes MEETING")
PROPOSAL = N_("the proposal for awards to the province as a Word document")
NO_BLOC = N_("Link your account to a bloc first (/start CODE) to get its papers.")

log = logging.getLogger(__name__)


def register(router: Router) -> None:
    """Add /minutes and /proposal."""
    for name, handler, summary, alias in (
        ("minutes", minutes, MINUTES, "bienban"),
        ("proposal", proposal, PROPOSAL, "totrinh"),
    ):
        router.command(Command(name, handler, Audience.LEADERS, summary, (alias,)))


async def minutes(ctx: Context, args: str) -> None:
    """The minutes of the meeting named by its code, else of the season's last meeting."""
    bloc_id = ctx.bloc_id
    if bloc_id is None:  # an operator who is in no bloc
        ctx.reply(_(NO_BLOC))
        return
    code = args.split()[0] if args.split() else None
    try:
        papers = await ctx.services.documents.minutes(bloc_id, meeting_code=code)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
        return
    except UnknownMeeting as unknown:
        ctx.reply(
            _("The season has no meeting {code}; its meetings are: {codes}.").format(
                code=excerpt(unknown.code, 20), codes=", ".join(unknown.codes) or "—"
            )
        )
        return
    await _send(ctx, papers, "minutes")


async def proposal(ctx: Context, args: str) -> None:
    """The proposal for awards of the current season."""
    bloc_id = ctx.bloc_id
    if bloc_id is None:  # an operator who is in no bloc
        ctx.reply(_(NO_BLOC))
        return
    try:
        papers = await ctx.services.documents.proposal(bloc_id)
    except NoSeason:
        ctx.reply(_("The bloc has no emulation season yet."))
        return
    await _send(ctx, papers, "proposal")


def render(kind: str, papers: Papers, templates: Path | None) -> bytes:
    """The paper of ``kind`` (minutes, proposal) from its template (the operator's in
    ``templates``, else the shipped one); docxtpl is loaded then, so start-up never pays for
    it. Raises ``TemplateProblem`` for an operator's template that cannot be used."""
    from bot.handlers import docx_papers

    return docx_papers.render(kind, papers, templates)


def file_name(kind: str, papers: Papers) -> str:
    """``bien-ban-tong-ket-tw-thaibinh-2021.docx``, ``to-trinh-khen-thuong-….docx``."""
    stem = "bien-ban-tong-ket" if kind == "minutes" else "to-trinh-khen-thuong"
    return f"{stem}-{papers.bloc_code}-{papers.year}.docx"


async def _send(ctx: Context, papers: Papers, kind: str) -> None:
    """Answer with the paper, written once the update's work is committed (the database is
    free for everyone else meanwhile) in the drawing process; a template that cannot be used
    answers why instead."""
    templates = ctx.services.documents.templates
    if kind == "minutes":
        text = _("The minutes of the year-end meeting of {year}, to print and sign.")
    else:
        text = _("The proposal for awards of {year}, to print and sign.")
    if not papers.final:
        text += " " + _("The results are provisional until they are announced.")

    async def written() -> Attachment | Outgoing:
        from bot.handlers.docx_papers import TemplateProblem

        try:
            data = await rendered(render, kind, papers, templates)
        except TemplateProblem as problem:
            log.warning("%s", problem.for_operator())
            return Outgoing(problem.for_person())
        return Attachment(AttachmentKind.DOCUMENT, file_name(kind, papers), DOCX, data=data)

    ctx.replies.attach_later(Outgoing(text.format(year=papers.year)), written)
