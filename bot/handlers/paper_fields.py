"""The fields a paper's template is filled with: what the minutes of the year-end meeting
(biên bản) and the proposal for awards (tờ trình) say, as texts in the current language, under
the names a template writes (``{{ bloc }}``, ``{%tr for p in ranking %}``, ``{{ p.total }}``).

Both papers have the same fields; the README lists them for the people who edit a template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.handlers.ballot_text import kind_name
from bot.handlers.formatting import excerpt, points
from bot.i18n import N_, _, current_locale
from bot.services.documents import Attendee, BallotResult, MeetingFacts, Papers
from bot.services.standings import AwardLine, RankedAgency
from bot.timetext import when

ANSWERS = {True: N_("attends"), False: N_("does not attend"), None: N_("has not answered")}
UNKNOWN = "……"  # what a paper writes where it does not know the word, to fill in by hand
# "… tỉnh Thái Bình", "… thành phố Hải Phòng": the province a place or a bloc's name is in.
_PROVINCE = re.compile(r"\b(?:tỉnh|thành phố|TP\.)\s+([^,;()]+)", re.IGNORECASE)


@dataclass(frozen=True)
class PaperDate:
    """The paper's date: the meeting's for the minutes, the day it is made for the proposal."""

    day: str  # 20, 05: with a 0 before the 10th
    month: str  # 12, 02: Vietnamese papers write a 0 before March, English ones every month
    year: int


@dataclass(frozen=True)
class MeetingFields:
    code: str
    title: str
    time: str  # 20/12/2021 14:00, in the bloc's time
    place: str  # …… when the meeting has none


@dataclass(frozen=True)
class AttendeeFields:
    """A member agency at the meeting, in the bloc's order."""

    no: int  # 1, 2, …
    agency: str
    role: str  # head, deputy, member
    comes: bool | None  # None: has not answered
    answer: str  # attends, does not attend, has not answered (in the paper's language)
    names: str  # who comes, as the agency said; empty when it did not say


@dataclass(frozen=True)
class PlacingFields:
    """A line of the ranking table."""

    no: int
    agency: str
    total: str  # 8,5 in Vietnamese, 8.5 in English
    rank: int  # shared ranks repeat: 1, 1, 3
    shared: bool
    eligible: bool
    late: bool
    notes: str  # equal points; not eligible (why); submitted late


@dataclass(frozen=True)
class CountFields:
    agency: str
    votes: int


@dataclass(frozen=True)
class BallotFields:
    """A closed secret ballot (bỏ phiếu kín) and its count."""

    id: int
    kind: str  # what it chose: acclaiming the leading unit (Cờ thi đua của UBND tỉnh)
    closed: str  # 10/11/2021 09:00
    voted: int
    entitled: int
    blank: int
    valid: bool  # the quorum was met
    counts: tuple[CountFields, ...]  # in the slate's order
    winners: str  # names, comma separated; empty when none
    tied: str


@dataclass(frozen=True)
class ProposedFields:
    name: str
    votes: int  # the votes the award's ballot gave it; 0 when the ranking proposes it


@dataclass(frozen=True)
class AwardFields:
    """An award line (Cờ thi đua, Bằng khen) and the agencies proposed for it."""

    no: int
    title: str
    count: int  # how many units the bloc file gives it
    agencies: tuple[ProposedFields, ...]
    tied: str  # names at the last place to decide between; empty when none
    ballot: int | None  # the secret ballot that chose them
    voted: int  # votes cast in that ballot; 0 without one


@dataclass(frozen=True)
class PaperFields:
    """Everything a template may write."""

    bloc: str
    bloc_code: str
    year: int
    province: str  # Thái Bình; empty when neither the meeting's place nor the bloc names one
    date: PaperDate
    head: str  # the head agency (Trưởng khối); empty when the season has none
    deputies: str  # names, comma separated
    final: bool  # the results are announced; False: the ranking is provisional
    ranking: tuple[PlacingFields, ...]
    leader: str  # the leading unit (đơn vị dẫn đầu); empty when none
    not_ranked: str  # agencies without a submitted sheet, comma separated
    awards: tuple[AwardFields, ...]
    meeting: MeetingFields | None  # None when the season has no meeting
    attendance: tuple[AttendeeFields, ...]
    attended: int  # agencies that said they attend
    members: int  # member agencies asked
    ballots: tuple[BallotFields, ...]  # closed ones, oldest first

    def context(self) -> dict[str, Any]:
        """The fields by name, as a template is filled with them."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


FIELD_NAMES = frozenset(field.name for field in fields(PaperFields))
# Where the objects of the fields are, to name a field a template gets wrong: ranking.totl.
OWNERS: dict[type, str] = {
    PaperDate: "date",
    MeetingFields: "meeting",
    AttendeeFields: "attendance",
    PlacingFields: "ranking",
    BallotFields: "ballots",
    CountFields: "ballots.counts",
    AwardFields: "awards",
    ProposedFields: "awards.agencies",
}


def paper_fields(papers: Papers, kind: str) -> PaperFields:
    """The fields of the paper of ``kind`` (minutes, proposal) in the current language."""
    meeting = papers.meeting
    if kind == "minutes":
        province = province_of(meeting.place if meeting else None, papers.bloc_name)
    else:
        province = province_of(papers.bloc_name)
    standings = papers.standings
    return PaperFields(
        bloc=papers.bloc_name,
        bloc_code=papers.bloc_code,
        year=papers.year,
        province=province or "",
        date=paper_date(papers.dated, papers.timezone),
        head=papers.head.name if papers.head else "",
        deputies=_names(d.name for d in papers.deputies),
        final=standings.final,
        ranking=tuple(_placing(n, p) for n, p in enumerate(standings.placings, start=1)),
        leader=standings.leader.name if standings.leader else "",
        not_ranked=_names(a.name for a in standings.not_ranked),
        awards=tuple(_award(n, a) for n, a in enumerate(standings.awards, start=1)),
        meeting=_meeting(meeting, papers.timezone) if meeting else None,
        attendance=tuple(_attendee(n, a) for n, a in enumerate(papers.attendance, start=1)),
        attended=sum(1 for a in papers.attendance if a.comes),
        members=len(papers.attendance),
        ballots=tuple(_ballot(b, papers.timezone) for b in papers.ballots),
    )


def province_of(*texts: str | None) -> str | None:
    """The province named in the first of ``texts`` that names one: ``Thái Bình``."""
    for text in texts:
        found = _PROVINCE.search(text or "")
        if found:
            return found.group(1).strip()
    return None


def paper_date(moment: datetime, timezone: str) -> PaperDate:
    """The day, month and year as the paper's language writes them in its date line."""
    local = moment.astimezone(ZoneInfo(timezone))
    padded = local.month < 3 or not current_locale().startswith("vi")
    month = f"{local.month:02d}" if padded else str(local.month)
    return PaperDate(day=f"{local.day:02d}", month=month, year=local.year)


def _names(names: Any) -> str:
    return ", ".join(names)


def _meeting(meeting: MeetingFacts, timezone: str) -> MeetingFields:
    return MeetingFields(
        code=meeting.code,
        title=meeting.title,
        time=when(meeting.at, timezone),
        place=meeting.place or UNKNOWN,
    )


def _attendee(number: int, attendee: Attendee) -> AttendeeFields:
    names = attendee.names if attendee.comes and attendee.names else ""
    return AttendeeFields(
        no=number,
        agency=attendee.agency.name,
        role=attendee.role,
        comes=attendee.comes,
        answer=_(ANSWERS[attendee.comes]),
        names=excerpt(names, 200) if names else "",
    )


def _placing(number: int, placing: RankedAgency) -> PlacingFields:
    return PlacingFields(
        no=number,
        agency=placing.agency.name,
        total=points(placing.total),
        rank=placing.rank,
        shared=placing.shared,
        eligible=placing.eligible,
        late=placing.late,
        notes=_notes(placing),
    )


def _notes(placing: RankedAgency) -> str:
    notes = []
    if placing.shared:
        notes.append(_("equal points"))
    if not placing.eligible:
        reason = placing.ineligible_reason
        notes.append(_("not eligible") + (f" ({excerpt(reason, 120)})" if reason else ""))
    if placing.late:
        notes.append(_("submitted late"))
    return "; ".join(notes)


def _ballot(ballot: BallotResult, timezone: str) -> BallotFields:
    return BallotFields(
        id=ballot.id,
        kind=kind_name(ballot.kind, ballot.title),
        closed=when(ballot.closed_at, timezone),
        voted=ballot.voted,
        entitled=ballot.entitled,
        blank=ballot.blank,
        valid=ballot.valid,
        counts=tuple(CountFields(agency.name, votes) for agency, votes in ballot.counts),
        winners=_names(a.name for a in ballot.winners),
        tied=_names(a.name for a in ballot.tied),
    )


def _award(number: int, award: AwardLine) -> AwardFields:
    ballot = award.ballot
    return AwardFields(
        no=number,
        title=award.title,
        count=award.count,
        agencies=tuple(
            ProposedFields(a.name, (ballot.votes_of(a.code) or 0) if ballot else 0)
            for a in award.agencies
        ),
        tied=_names(a.name for a in award.tied),
        ballot=ballot.id if ballot else None,
        voted=ballot.voted if ballot else 0,
    )
