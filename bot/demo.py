"""``blocbot demo``: the console channel on a fresh SQLite file seeded with the sample bloc.

The sample bloc's dates are moved so that self-scoring is open now, every agency gets a console
contact linked with its invite code, and the console group is linked to the bloc by the head.
"""

from __future__ import annotations

import calendar
import sys
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.app import App, build
from bot.blocfile import BlocFileError, BlocSpec, EventKind, EventSpec, load_bloc_file
from bot.channels.console import PLATFORM, ConsoleChannel, Stage
from bot.clock import Clock, OffsetClock
from bot.config import Settings
from bot.handlers.formatting import when
from bot.handlers.model import Sender
from bot.i18n import _, use_locale
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.sending import OutboxSender, SenderMap
from bot.services.enrolment import Outcome
from bot.storage.migrate import upgrade

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "tw-thaibinh.yaml"
START_AS = "thue"
GROUP_ID = "group-1"
GROUP_TITLE = "Khối thi đua TW Thái Bình"
DEADLINE_IN = timedelta(days=7)
DEADLINE_AT = time(17, 0)
PACT_MONTHS_AGO = 2
YEAR_END_AFTER = timedelta(days=30)
YEAR_END_AT = time(14, 0)
ROUNDS = 20  # outbox batches per firing: plenty for a bloc of 15


async def demo(
    settings: Settings,
    database_path: str,
    clock: Clock | None = None,
    *,
    source: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    """Seed a fresh demo database, greet, and chat in the console until the input ends."""
    out = out or sys.stdout
    sandbox = Sandbox(settings, Path(database_path), clock or OffsetClock())
    try:
        stage = await sandbox.start()
    except BlocFileError as error:
        print(error, file=sys.stderr)
        return 1
    try:
        start = START_AS if START_AS in stage.contacts else next(iter(stage.contacts))
        channel = ConsoleChannel(stage, start=start, reset=sandbox.start, source=source, out=out)
        sandbox.sender = channel
        with use_locale(settings.locale):
            out.write(sandbox.welcome(stage.contacts[start]) + "\n\n")
        return await channel.run()
    finally:
        await sandbox.close()


class Sandbox:
    """The demo's own database, seeded with the sample bloc; ``start`` again to start over."""

    def __init__(self, settings: Settings, path: Path, clock: Clock) -> None:
        self.path = path.resolve()
        self.settings = settings.model_copy(
            update={"database_url": f"sqlite+aiosqlite:///{self.path}"}
        )
        self.clock = clock
        self.app: App | None = None
        self.spec: BlocSpec | None = None
        self.sender: OutboxSender | None = None  # the console, once it runs
        self._dispatcher: Dispatcher | None = None

    async def fire(self) -> None:
        """Send what is due: reminders and digests the calendar asks for, then the outbox."""
        if self.app is None or self.sender is None:
            return
        await self.app.remind()
        if self._dispatcher is None:  # the console has no limits to keep
            self._dispatcher = self.app.dispatcher(
                SenderMap({PLATFORM: self.sender}), worker_id="demo"
            )
        for _round in range(ROUNDS):
            if not await self._dispatcher.run_once():
                break

    async def start(self) -> Stage:
        """Create the database afresh and seed it; returns what the console plays on."""
        await self.close()
        spec = season_open_now(
            load_bloc_file(
                SAMPLE,
                default_timezone=self.settings.timezone,
                default_locale=self.settings.locale,
            ),
            self.clock.now(),
        )
        spec = replace(spec, locale=self.settings.locale)
        _remove_database(self.path)
        await upgrade(self.settings.database_url)
        self.app, self.spec = build(self.settings, self.clock), spec
        return await self._seed(self.app, spec)

    async def close(self) -> None:
        if self.app is not None:
            await self.app.close()
            self.app = None
            self._dispatcher = None

    def welcome(self, sender: Sender) -> str:
        """What this is and what to try first, in the current language."""
        assert self.spec is not None
        spec = self.spec
        agency = next(a for a in spec.agencies if a.code == sender.user_id)
        closing = next((e for e in spec.season.events if e.closes_scoring), None)
        lines = [
            _("blocbot demo: the sample bloc “{bloc}”, on a fresh database ({file}).").format(
                bloc=spec.name, file=self.path.name
            )
        ]
        if closing is not None:
            lines.append(
                _("Self-scoring for {year} is open until {deadline}.").format(
                    year=spec.season.year, deadline=when(closing.at, spec.timezone)
                )
            )
        lines += [
            _(
                "You are the contact officer of {agency} ({code}), in a direct chat with the bot."
            ).format(agency=agency.name, code=agency.code),
            _("Try:"),
            "  /score      " + _("fill in your agency's self-score sheet"),
            "  :as head    " + _("become the bloc head ({code})").format(code=spec.season.head),
            "  /progress   " + _("then see who has submitted; /announce publishes the results"),
            "  :in group   " + _("speak in the bloc's group chat"),
            "  :help       " + _("all console commands; /help lists the bot's commands"),
        ]
        return "\n".join(lines)

    async def _seed(self, app: App, spec: BlocSpec) -> Stage:
        """Import the bloc, link one console contact per agency and the group."""
        await app.blocs.import_bloc(spec)
        invites = await app.invites.invites(spec.code)
        codes = {line.agency_code: line.code for line in invites if line.agency_code}
        group_code = next(line.code for line in invites if line.kind == "group")
        people, enrolment = app.services.people, app.services.enrolment
        locale = self.settings.locale
        contacts: dict[str, Sender] = {}
        for agency in spec.agencies:
            with use_locale(locale):
                name = _("Contact of {agency}").format(agency=agency.code)
            sender = Sender(agency.code, name, locale)
            opened = await people.open(
                platform=PLATFORM,
                update_id=f"seed-{agency.code}",
                chat_id=agency.code,
                user_id=agency.code,
                name=name,
                language_code=locale,
                in_group=False,
            )
            assert opened is not None, "a fresh database has seen no update"
            result = await enrolment.enrol(opened.person, codes[agency.code])
            assert result.outcome is Outcome.LINKED, result
            contacts[agency.code] = sender
        head = await people.person(PLATFORM, spec.season.head)
        assert head is not None
        linked = await enrolment.link_group(head, PLATFORM, GROUP_ID, GROUP_TITLE, group_code)
        assert linked.outcome is Outcome.LINKED, linked
        return Stage(
            app.router,
            contacts,
            spec.season.head,
            GROUP_ID,
            GROUP_TITLE,
            timezone=spec.timezone,
            clock=self.clock if isinstance(self.clock, OffsetClock) else None,
            fire=self.fire,
        )


def season_open_now(spec: BlocSpec, now: datetime) -> BlocSpec:
    """The bloc with its season moved to this year, self-scoring open for another week.

    The deadline that closes scoring falls 7 days from now at 17:00 (other deadlines keep their
    distance to it), meetings before it (the pact signing) 2 months ago, meetings after it (the
    year-end meeting) 30 days after it at 14:00; all in the bloc's local time.
    """
    zone = ZoneInfo(spec.timezone)
    today = now.astimezone(zone).date()
    season = spec.season
    deadlines = [e for e in season.events if e.kind is EventKind.DEADLINE]
    closing = next((e for e in deadlines if e.closes_scoring), deadlines[0] if deadlines else None)
    deadline = datetime.combine(today + DEADLINE_IN, DEADLINE_AT, zone)
    pact_day = _months_before(today, PACT_MONTHS_AGO)
    year_end = datetime.combine((deadline + YEAR_END_AFTER).date(), YEAR_END_AT, zone)

    def moved(event: EventSpec) -> EventSpec:
        if closing is None:
            at = year_end
        elif event.kind is EventKind.DEADLINE:
            at = deadline + (event.at - closing.at)
        elif event.at < closing.at:
            at = datetime.combine(pact_day, event.at.astimezone(zone).time(), zone)
        else:
            at = year_end
        title = event.title.replace(str(season.year), str(today.year))
        return replace(event, at=at, title=title)

    events = tuple(moved(event) for event in season.events)
    return replace(spec, season=replace(season, year=today.year, events=events))


def _remove_database(path: Path) -> None:
    """Delete an SQLite file with its journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day if shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
