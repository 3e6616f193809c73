"""How the bloc's contacts read: /members, the removal question, /newcode and /bloc."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime

from bot.handlers.formatting import when
from bot.i18n import _, current_locale, ngettext
from bot.services.invites import Renewed
from bot.services.members import AgencyMembers, BlocChoice, Member, Roster
from bot.timetext import zone_of

# The platforms as people write their names (not translated).
PLATFORMS = {"telegram": "Telegram", "zalo": "Zalo"}
RECENT_DAYS = 30  # older than this, a last activity is said as a date


def last_seen(moment: datetime | None, now: datetime, timezone: str) -> str:
    """``today 14:05``, ``yesterday 09:30``, ``3 days ago``, ``20/11/2025``, or ``never``."""
    if moment is None:
        return _("never")
    zone = zone_of(timezone)
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = format_datetime(moment, "HH:mm", tzinfo=zone, locale=current_locale())
    days = (today - local.date()).days
    if days <= 0:
        return _("today {time}").format(time=clock)
    if days == 1:
        return _("yesterday {time}").format(time=clock)
    if days < RECENT_DAYS:
        return ngettext("{n} day ago", "{n} days ago", days).format(n=days)
    return format_datetime(moment, "dd/MM/yyyy", tzinfo=zone, locale=current_locale())


def roster_text(roster: Roster, now: datetime, *, can_remove: bool) -> str:
    """Every agency with its contacts, numbered, and how to remove one."""
    lines = [_("Contacts of {bloc}:").format(bloc=roster.bloc_name)]
    for agency in roster.agencies:
        lines.append("")
        lines.append(f"{agency.name} ({agency.code})")
        if not agency.members:
            lines.append(
                "  " + _("nobody linked yet: /newcode {agency}").format(agency=agency.code)
            )
        lines.extend(f"  {member_line(member, roster.timezone, now)}" for member in agency.members)
    if can_remove and roster.members:
        lines.append("")
        lines.append(_("To unlink a contact who left: /members remove NUMBER"))
    return "\n".join(lines)


def member_line(member: Member, timezone: str, now: datetime) -> str:
    """``1. Nguyễn Văn An — Telegram, linked 02/10/2025 08:00, last seen today 14:05``."""
    line = _("{number}. {name} — {platform}, linked {linked}, last seen {seen}").format(
        number=member.number,
        name=member.name or _("(no name)"),
        platform=PLATFORMS.get(member.platform, member.platform),
        linked=when(member.linked_at, timezone),
        seen=last_seen(member.last_seen_at, now, timezone),
    )
    if member.unreachable_at is not None:
        line += " — " + _("⚠ unreachable since {at}: the bot cannot write to them").format(
            at=when(member.unreachable_at, timezone)
        )
    return line


def remove_question(agency: AgencyMembers, member: Member) -> str:
    return _(
        "Unlink {name} ({platform}) from {agency}? They will no longer get the agency's "
        "reminders or fill in its sheet; what they entered is kept."
    ).format(
        name=member.name or _("(no name)"),
        platform=PLATFORMS.get(member.platform, member.platform),
        agency=agency.name,
    )


def removed_text(agency: str, name: str) -> str:
    return _("{name} is no longer linked to {agency}. I have told them.").format(
        name=name or _("(no name)"), agency=agency
    )


def removed_notice(agency: str, bloc: str) -> str:
    """What the unlinked person is told, in their language."""
    return _(
        "You are no longer linked to {agency} in {bloc}: the bloc head removed your link. "
        "If this is a mistake, ask the head for a new invite code."
    ).format(agency=agency, bloc=bloc)


def new_code_text(renewed: Renewed, timezone: str, platform: str, bot: str | None) -> str:
    """The new code, what happened to the old one, and how to use it."""
    line = renewed.line
    lines = [
        _("New invite code for {agency} ({code}): {invite}").format(
            agency=line.agency_name, code=line.agency_code, invite=line.code
        )
    ]
    if renewed.revoked:
        lines.append(_("The old code {code} no longer works.").format(code=renewed.revoked))
    else:
        lines.append(_("The agency had no usable code before."))
    lines.append(
        _("It links up to {count} people and works until {date}.").format(
            count=line.max_uses, date=when(line.expires_at, timezone)
        )
    )
    lines.append(
        _(
            "Send the code to me as the first message (or /start CODE): "
            "it links the sender to that agency."
        )
    )
    if platform == "telegram" and bot:
        lines.append(
            _("Telegram link: {link}").format(link=f"https://t.me/{bot}?start={line.code}")
        )
    return "\n".join(lines)


def blocs_text(chosen: BlocChoice | None, blocs: list[BlocChoice]) -> str:
    """The bloc an operator acts on, and every bloc to choose from."""
    if chosen is None:
        lines = [_("You act on no bloc yet.")]
    else:
        lines = [_("You act on {code} ({name}).").format(code=chosen.code, name=chosen.name)]
    if not blocs:
        lines.append(_("No blocs yet. Import one with: blocbot bloc import FILE.yaml"))
        return "\n".join(lines)
    lines.append(_("Blocs:"))
    lines.extend(f"  {bloc.code} — {bloc.name}" for bloc in blocs)
    lines.append(_("Choose one with /bloc CODE."))
    return "\n".join(lines)


def chosen_text(before: str | None, after: BlocChoice) -> str:
    now = _("You now act on {code} ({name}).").format(code=after.code, name=after.name)
    if before is None or before == after.code:
        return now
    return f"{now} " + _("Before: {code}.").format(code=before)
