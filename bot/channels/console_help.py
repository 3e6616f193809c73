"""What the console says about itself: its commands (``:help``) and how replies look (``:on``)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.channels.console_render import SEPARATOR, Look
from bot.i18n import _


def help_text(codes: Iterable[str], head: str, example_day: str, look: Look) -> str:
    """The console commands; ``example_day`` is a date ``:time`` accepts now."""
    rows = [
        (":as CODE", _("be the contact of agency CODE ({codes})").format(codes=", ".join(codes))),
        (":as head", _("be the contact of the bloc head ({code})").format(code=head)),
        (":in group", _("speak in the bloc's group chat")),
        (":in dm", _("speak in your direct chat with the bot")),
        (":who", _("who and where you are")),
        (":time +3d", _("move the clock forward and see what the bot sends meanwhile")),
        (f":time {example_day} 17:00", _("move the clock to a local date and time")),
        (":paste", _("send several lines as one message: type them, then an empty line")),
        (":on zalo", _("show replies as Zalo does: no buttons, at most 2,000 characters each")),
        (":on telegram", _("show replies as Telegram does: with buttons, pressed with :press")),
        (":on console", _("show replies as at the start, the console's own way")),
        (":press N", _("after :on telegram, press button N of the last message (or its label)")),
        (":reset", _("recreate the demo database and start over")),
        (":quit", _("leave (Ctrl-D does too)")),
    ]
    width = max(len(command) for command, _text in rows)
    lines = [_("Console commands (not sent to the bot):")]
    lines += [f"  {command.ljust(width)}  {text}" for command, text in rows]
    lines.append(_("Everything else goes to the bot: send /help to see its commands."))
    lines.append(_("Lines pasted at once are sent as one message."))
    lines.append(look_now(look))
    return "\n".join(lines)


def look_now(look: Look) -> str:
    """Which platform's look replies have."""
    if look is Look.CONSOLE:
        return _(
            "Replies look as in the console; :on zalo or :on telegram shows them as that "
            "platform does."
        )
    return _("Replies look as on {platform}.").format(platform=look.platform_name)


def look_changed(look: Look) -> str:
    """What changes now that replies look as on ``look``'s platform."""
    if look is Look.ZALO:
        return _(
            "Replies now look as on Zalo: no buttons (a menu is numbered options, answered with "
            "the number), no edits, and messages of at most 2,000 characters, with a line {line} "
            "between two messages."
        ).format(line=SEPARATOR[:3])
    if look is Look.TELEGRAM:
        return _(
            "Replies now look as on Telegram: buttons under the message, pressed with :press N "
            "or :press LABEL, and an edit replaces the earlier message."
        )
    return _(
        "Replies look as in the console again: choices are numbered options and a long text "
        "stays in one piece."
    )
