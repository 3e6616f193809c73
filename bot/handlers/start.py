"""Enrolment and the basics: /start, /linkgroup, /help, /lang, /cancel."""

from __future__ import annotations

from bot.domain.roles import Role
from bot.handlers.context import Context
from bot.handlers.formatting import duration, fit_title, role_name
from bot.handlers.model import Button
from bot.handlers.router import Audience, Command, Router
from bot.i18n import LOCALES, N_, _, current_locale, use_locale
from bot.services.enrolment import EnrolResult, Outcome
from bot.services.invites import ALPHABET, CODE_LENGTH, normalize_code
from bot.services.people import Link


def register(router: Router) -> None:
    """Add the basic commands."""
    router.command(
        Command(
            "start",
            start,
            Audience.ANYONE,
            N_("link your account with an invite code"),
            unlinked_only=True,
        )
    )
    router.command(
        Command("help", help_, Audience.ANYONE, N_("what I can do for you"), ("trogiup",))
    )
    router.command(
        Command("lang", lang, Audience.ANYONE, N_("language: /lang vi or /lang en"), ("ngonngu",))
    )
    router.command(
        Command("cancel", cancel, Audience.ANYONE, N_("leave the current step"), ("huy",))
    )
    router.command(
        Command(
            "linkgroup",
            linkgroup,
            Audience.ANYONE,
            N_("in a group: link it to your bloc"),
            ("lienketnhom",),
            listed_for=Audience.LEADERS,
        )
    )
    router.flow(MOVE_FLOW, _moving, on_cancel=_stay)
    router.button("st", press)
    router.fallback(chat)


MOVE_FLOW = "move"


async def start(ctx: Context, code: str) -> None:
    """Link the person with an invite code, or greet them."""
    if ctx.incoming.in_group:
        if code:
            await linkgroup(ctx, code)
        return
    if not code:
        if ctx.person.link is not None:
            ctx.reply(_greeting(ctx.person.link))
        else:
            ctx.reply(_welcome())
        return
    await _enrol(ctx, code, move=False)


async def chat(ctx: Context, text: str) -> None:
    """Free text in a direct chat: an invite code links as /start CODE does."""
    # Zalo has no deep links: a person's first message is often the code alone.
    if is_invite_code(text):
        await start(ctx, normalize_code(text))
    elif ctx.person.link is None:
        ctx.reply(_welcome())
    else:
        ctx.reply(_("Send /help to see what I can do."))


def is_invite_code(text: str) -> bool:
    """Text that is an invite code and nothing else, as typed: ``acde-3467-fghj`` too."""
    code = normalize_code(text)
    return len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)


async def press(ctx: Context, payload: str) -> None:
    """The answer to "move to the other agency?": move, or stay where the person is."""
    code = ctx.conversation.data.get("code") if ctx.conversation.flow == MOVE_FLOW else None
    if payload not in ("st:move", "st:stay") or not code:
        ctx.notice(_("This button has expired."))
        return
    ctx.conversation.end()
    if payload == "st:stay":
        ctx.reply(_stay(ctx))
        return
    await _enrol(ctx, code, move=True)


def _stay(ctx: Context) -> str:
    link = ctx.person.link
    agency = link.agency_name if link else ""
    return _("Nothing changed: you still speak for {agency}.").format(agency=agency)


async def _moving(ctx: Context, text: str) -> None:
    """Text while the move question is open: the question still waits for its answer."""
    ctx.tell(_("Please answer the question above first, or send /cancel to leave it."))


async def _enrol(ctx: Context, code: str, *, move: bool) -> None:
    result = await ctx.services.enrolment.enrol(ctx.person, code, move=move)
    if result.outcome is Outcome.MOVE:
        ctx.conversation.start(MOVE_FLOW, code=code)
        ctx.reply(
            _(
                "You speak for {current} in {bloc}. This code is for {agency}: if you go on, "
                "you will speak for {agency} instead, with its rights in the bloc, and no "
                "longer for {current}. Move to {agency}?"
            ).format(
                current=result.current_agency, bloc=result.bloc_name, agency=result.agency_name
            ),
            [
                [
                    Button(
                        _("Move to {agency}").format(agency=fit_title(result.agency_name, 30)),
                        "st:move",
                        _("move"),
                    ),
                    Button(_("Stay"), "st:stay", _("stay")),
                ]
            ],
            menu=True,
        )
        return
    if result.outcome in (Outcome.LINKED, Outcome.ALREADY_LINKED):
        person = await ctx.services.people.person(ctx.person.platform, ctx.person.user_id)
        link = person.link_in(result.bloc_id) if person and result.bloc_id else None
        if link is not None:
            ctx.person = person  # type: ignore[assignment]
            ctx.replies.menu_changed = True
            ctx.reply(_greeting(link))
        return
    ctx.reply(_refusal(result))


async def linkgroup(ctx: Context, code: str) -> None:
    """Bind this group to the bloc of a group code."""
    if not ctx.incoming.in_group:
        ctx.reply(_("Send /linkgroup CODE in the bloc's group chat, after adding me to it."))
        return
    if not code:
        ctx.reply(_("Send /linkgroup followed by the group code from the bloc's invites."))
        return
    result = await ctx.services.enrolment.link_group(
        ctx.person, ctx.incoming.platform, ctx.incoming.chat_id, ctx.incoming.chat_title, code
    )
    if result.outcome is Outcome.LINKED:
        ctx.replies.menu_changed = True  # the bloc's members get its commands in this group
        ctx.reply(
            _(
                "This group is now linked to {bloc}. I will post reminders, progress and "
                "results here."
            ).format(bloc=result.bloc_name)
        )
    elif result.outcome is Outcome.ALREADY_LINKED:
        ctx.reply(_("This group is already linked to {bloc}.").format(bloc=result.bloc_name))
    elif result.outcome is Outcome.NOT_ALLOWED:
        ctx.reply(
            _(
                "Only the bloc head, deputies or operators can link a group. Link your own "
                "account first in a direct chat with me (/start CODE)."
            )
        )
    else:
        ctx.reply(_refusal(result))


async def help_(ctx: Context, _args: str) -> None:
    """List the commands this person may use here."""
    lines = [_("What you can do:")]
    for command in ctx.router.visible(ctx):
        # The aliases are Vietnamese words without diacritics: shown to Vietnamese readers.
        vietnamese = current_locale() == "vi"
        alias = f" (/{command.aliases[0]})" if command.aliases and vietnamese else ""
        lines.append(f"/{command.name}{alias} — {_(command.summary)}")
    ctx.reply("\n".join(lines))


async def lang(ctx: Context, choice: str) -> None:
    """Change the person's language."""
    choice = choice.strip().lower()
    if choice not in LOCALES:
        ctx.reply(_("Choose a language: /lang vi (Tiếng Việt) or /lang en (English)."))
        return
    await ctx.services.people.set_language(ctx.person.contact_id, choice)
    ctx.replies.menu_changed = True  # the command menu speaks the new language
    with use_locale(choice):
        ctx.reply(_("I will speak English with you from now on."))


async def cancel(ctx: Context, _args: str) -> None:
    """Leave the current dialog; what was entered stays saved."""
    if ctx.conversation.flow is None:
        ctx.reply(_("There is nothing to cancel."))
        return
    said = ctx.router.cancelled(ctx) or _("Stopped; nothing was changed.")
    ctx.conversation.end()
    ctx.reply("\n".join([said, _("Send /help to see the commands.")]))


def _welcome() -> str:
    return _(
        "Welcome to blocbot, the assistant of your emulation bloc.\n"
        "To link your account, send the invite code your bloc head gave you, for example: "
        "ACDE3467FGHJ (or /start ACDE3467FGHJ)."
    )


def _greeting(link: Link) -> str:
    lines = [
        _("Hello! You are the contact officer of {agency} in {bloc}, {role}.").format(
            agency=link.agency_name, bloc=link.bloc_name, role=role_name(link.role)
        ),
        _("Next: send /score to fill in your agency's self-score sheet."),
    ]
    if link.role in (Role.HEAD, Role.DEPUTY):
        lines.append(_("As a leader of the bloc you can also follow /progress and /standings."))
    if link.role is Role.HEAD:
        lines.append(_("When every sheet is in, /announce publishes the results."))
    lines.append(_("Send /help at any time to see the commands."))
    return "\n".join(lines)


def _refusal(result: EnrolResult) -> str:
    if result.outcome is Outcome.WAIT:
        return _("Too many wrong codes. Please wait {time} and try again.").format(
            time=duration(result.wait) if result.wait else ""
        )
    if result.outcome is Outcome.EXPIRED:
        return _("This invite code has expired. Ask your bloc head for a new one.")
    if result.outcome is Outcome.USED_UP:
        return _(
            "This invite code has been used by as many people as it allows. Ask your bloc "
            "head for a new one."
        )
    if result.outcome is Outcome.WRONG_KIND:
        return _(
            "This code is for something else: agency codes go with /start in a direct "
            "chat, the group code with /linkgroup in the bloc's group."
        )
    return _(
        "The invite code is not right. Check it (letters and digits, no spaces needed) or ask "
        "your bloc head for it."
    )
