"""The bloc's contacts and codes for its head, the bloc an operator acts on: /members,
/newcode, /bloc."""

from __future__ import annotations

import logging

from bot.domain.scores import NO_WORDS, YES_WORDS
from bot.handlers.context import Context
from bot.handlers.member_text import (
    blocs_text,
    chosen_text,
    new_code_text,
    remove_question,
    removed_notice,
    removed_text,
    roster_text,
)
from bot.handlers.model import Button
from bot.handlers.router import Audience, Command, Router
from bot.i18n import N_, _, use_locale
from bot.services.invites import UnknownAgency
from bot.services.members import BlocChoice, Roster

log = logging.getLogger(__name__)

PREFIX = "mr"  # unlinking confirmation buttons: mr:yes:<membership id>, mr:no
BLOC_PREFIX = "bl"  # an operator's choice of bloc: bl:<bloc id>
FLOW = "unlink"  # waiting for the head to confirm, also by a typed number or keyword
REMOVE_WORDS = ("remove", "xoa", "xoá", "xóa")


def register(router: Router) -> None:
    """Add the contacts, new code and bloc choice commands."""
    router.command(
        Command(
            "members",
            members,
            Audience.LEADERS,
            N_("the bloc's contacts and their last activity; /members remove NUMBER"),
            ("thanhvien",),
            in_group=False,
        )
    )
    router.command(
        Command(
            "newcode",
            new_code,
            Audience.HEADS,
            N_("a new invite code for one agency: /newcode AGENCY"),
            ("mamoi",),
            in_group=False,
        )
    )
    router.command(
        Command(
            "bloc",
            bloc,
            Audience.ANYONE,  # operators only, said by the handler
            N_("the bloc you act on: /bloc CODE"),
            ("khoi",),
            in_group=False,
            unlinked_only=True,
            listed_for=Audience.OPERATORS,  # listed for operators with no agency of their own
        )
    )
    router.button(PREFIX, confirm)
    router.button(BLOC_PREFIX, pick)
    router.flow(FLOW, answer)


async def members(ctx: Context, args: str) -> None:
    """List the bloc's contacts by agency, or ask to unlink one (``remove N``)."""
    roster = await _roster(ctx)
    if roster is None:
        return
    bloc_id, view = roster
    word, _sep, rest = args.partition(" ")
    if not args:
        now = ctx.services.members.clock.now()
        ctx.reply(roster_text(view, now, can_remove=ctx.person.heads(bloc_id)))
    elif word.casefold() in REMOVE_WORDS:
        ask_unlink(ctx, bloc_id, view, rest.strip())
    else:
        ctx.reply(_("Send /members to see the contacts, or /members remove NUMBER to unlink one."))


def ask_unlink(ctx: Context, bloc_id: int, roster: Roster, number: str) -> None:
    """Ask the head to confirm unlinking contact ``number`` of the roster."""
    if not ctx.person.heads(bloc_id):
        ctx.reply(_("Only the bloc head or an operator can unlink a contact."))
        return
    count = len(roster.members)
    found = roster.number(int(number)) if number.isascii() and number.isdigit() else None
    if found is None:
        ctx.reply(
            _(
                "There is no contact number {number}: send /members remove and a number from the "
                "list of /members (1 to {count})."
            ).format(number=number or "…", count=count)
        )
        return
    agency, member = found
    if member.contact_id == ctx.person.contact_id:
        ctx.reply(
            _("You cannot unlink yourself: another contact of your agency or an operator can.")
        )
        return
    ctx.conversation.start(FLOW, membership=member.membership_id)
    ctx.reply(remove_question(agency, member), _choices(member.membership_id), menu=True)


async def answer(ctx: Context, text: str) -> None:
    """Read a typed answer to the unlinking question."""
    membership = ctx.conversation.data.get("membership")
    word = " ".join(text.casefold().split())
    if word in YES_WORDS or word == _("yes").casefold():
        await confirm(ctx, f"{PREFIX}:yes:{membership}")
    elif word in NO_WORDS or word == _("no").casefold():
        await confirm(ctx, f"{PREFIX}:no")
    else:
        ctx.reply(_("Choose 1 to unlink the contact or 2 to keep them."), _choices(membership))


async def confirm(ctx: Context, payload: str) -> None:
    """Unlink the contact and tell them, or drop the question."""
    if ctx.conversation.flow == FLOW:
        ctx.conversation.end()
    bloc_id = ctx.bloc_id
    if bloc_id is None or not ctx.person.heads(bloc_id):
        ctx.notice(_("Only the bloc head or an operator can unlink a contact."))
        return
    parts = payload.split(":")
    if parts == [PREFIX, "no"]:
        ctx.reply(_("Nobody was unlinked."), edit=True)
        return
    wanted = parts[2] if len(parts) == 3 and parts[1] == "yes" else ""
    roster = await ctx.services.members.roster(bloc_id)
    found = next(
        ((a, m) for a in roster.agencies for m in a.members if str(m.membership_id) == wanted),
        None,
    )
    if found is None or not await ctx.services.members.unlink(bloc_id, found[1].membership_id):
        ctx.reply(_("This contact is no longer linked: see /members."), edit=True)
        return
    agency, member = found
    log.info(
        "%s unlinked contact %s from %s", ctx.person.contact_id, member.contact_id, agency.code
    )
    ctx.reply(removed_text(agency.name, member.name), edit=True)
    with use_locale(member.language or ctx.person.language):
        ctx.send(member.platform, member.user_id, removed_notice(agency.name, roster.bloc_name))


async def new_code(ctx: Context, args: str) -> None:
    """Replace one agency's invite code and show how to use the new one."""
    roster = await _roster(ctx)
    if roster is None:
        return
    bloc_id, view = roster
    codes = ", ".join(agency.code for agency in view.agencies)
    if not args:
        ctx.reply(_("Send /newcode and the agency's code: {codes}.").format(codes=codes))
        return
    try:
        renewed = await ctx.services.invites.renew(bloc_id, args)
    except UnknownAgency:
        ctx.reply(
            _("No agency of the bloc has the code {code}; the codes are: {codes}.").format(
                code=args, codes=codes
            )
        )
        return
    incoming = ctx.incoming
    ctx.reply(new_code_text(renewed, view.timezone, incoming.platform, incoming.bot_username))


async def bloc(ctx: Context, args: str) -> None:
    """Show or choose the bloc an operator acts on."""
    if not ctx.person.operator:
        ctx.reply(_("Only operators choose a bloc: your commands act on your agency's bloc."))
        return
    blocs = await ctx.services.members.blocs()
    if not args:
        buttons = [[Button(b.code, f"{BLOC_PREFIX}:{b.bloc_id}")] for b in blocs]
        ctx.reply(blocs_text(_current(ctx, blocs), blocs), buttons, menu=True)
        return
    await _choose(ctx, args, blocs)


async def pick(ctx: Context, payload: str) -> None:
    """Choose the bloc of a pressed button."""
    if not ctx.person.operator:
        ctx.notice(_("This button has expired."))
        return
    blocs = await ctx.services.members.blocs()
    found = next((b for b in blocs if f"{BLOC_PREFIX}:{b.bloc_id}" == payload), None)
    if found is None:
        ctx.notice(_("This button has expired."))
        return
    await _choose(ctx, found.code, blocs)


async def _choose(ctx: Context, code: str, blocs: list[BlocChoice]) -> None:
    before = _current(ctx, blocs)
    chosen = await ctx.services.members.choose(ctx.person.contact_id, code)
    if chosen is None:
        known = ", ".join(b.code for b in blocs) or "—"
        ctx.reply(
            _("No bloc has the code {code}; the blocs are: {codes}.").format(
                code=code, codes=known
            )
        )
        return
    text = chosen_text(before.code if before else None, chosen)
    link = ctx.person.link
    if link is not None:
        text += "\n" + _(
            "In a direct chat your own agency's bloc ({code}) still comes first."
        ).format(code=link.bloc_code)
    ctx.reply(text)


def _current(ctx: Context, blocs: list[BlocChoice]) -> BlocChoice | None:
    chosen = ctx.person.chosen
    return next((b for b in blocs if chosen and b.bloc_id == chosen.bloc_id), None)


async def _roster(ctx: Context) -> tuple[int, Roster] | None:
    bloc_id = ctx.bloc_id
    if bloc_id is None:
        ctx.reply(_("Link your account first (/start CODE)."))
        return None
    return bloc_id, await ctx.services.members.roster(bloc_id)


def _choices(membership: object) -> list[list[Button]]:
    return [
        [
            Button(_("Unlink"), f"{PREFIX}:yes:{membership}", _("yes")),
            Button(_("Keep"), f"{PREFIX}:no", _("no")),
        ]
    ]
