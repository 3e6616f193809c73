"""The minutes of the year-end meeting (biên bản) and the proposal for awards (tờ trình) as
Word documents, in the current language: ``minutes_docx(papers)``, ``proposal_docx(papers)``."""

from __future__ import annotations

from docx.document import Document

from bot.handlers import docx_layout as layout
from bot.handlers.ballot_text import kind_name
from bot.handlers.formatting import excerpt, points
from bot.i18n import N_, _, ngettext
from bot.services.documents import BallotResult, Papers
from bot.services.standings import AwardLine, RankedAgency
from bot.timetext import when

MINUTES_NUMBER = "BB-KTĐ"  # the paper's kind and issuer in its number (Số: …/BB-KTĐ)
PROPOSAL_NUMBER = "TTr-KTĐ"
ANSWERS = {True: N_("attends"), False: N_("does not attend"), None: N_("has not answered")}


def minutes_docx(papers: Papers) -> bytes:
    """The minutes: time and place, who attended, the ranking, the ballots, the proposals."""
    meeting = papers.meeting
    place = layout.province_of(meeting.place if meeting else None, papers.bloc_name)
    subject = _("Year-end meeting on the emulation work of {year}").format(year=papers.year)
    document = _front(papers, MINUTES_NUMBER, place, _("Minutes"), subject)
    layout.section(document, 1, _("Time and place"))
    if meeting is not None:
        layout.text(document, meeting.title)
        layout.text(document, _("Time: {when}").format(when=when(meeting.at, papers.timezone)))
        layout.text(document, _("Place: {place}").format(place=meeting.place or "……"))
    else:
        layout.text(document, _("Time: ……  Place: ……"))
    layout.section(document, 2, _("Attendance"))
    _attendance(document, papers)
    layout.section(document, 3, _("Results of scoring and ranking"))
    _ranking(document, papers)
    layout.section(document, 4, _("Results of the secret ballots"))
    _ballots(document, papers.ballots, papers)
    layout.section(document, 5, _("Proposals for awards"))
    _awards(document, papers.standings.awards)
    layout.text(
        document,
        _("The minutes were read out to the meeting and agreed by those present."),
    )
    layout.signatures(
        document,
        [_("Secretary").upper(), ""],
        [_("Bloc head").upper(), papers.head.name if papers.head else ""],
    )
    return layout.finish(document)


def proposal_docx(papers: Papers) -> bytes:
    """The proposal to the provincial council: the award lines and the ranking behind them."""
    place = layout.province_of(papers.bloc_name)
    subject = _("On proposing awards for the emulation work of {year}").format(year=papers.year)
    document = _front(papers, PROPOSAL_NUMBER, place, _("Proposal"), subject)
    if place:
        to = _("To: the Emulation and Commendation Council of {province} province")
        layout.text(document, to.format(province=place), indent=False)
    else:
        layout.text(document, _("To: the provincial Emulation and Commendation Council"))
    layout.section(document, 1, _("Grounds"))
    layout.text(
        document,
        _(
            "Based on the results of scoring and ranking the member agencies of the {bloc} "
            "in {year}, and on the secret ballots of the bloc,"
        ).format(bloc=papers.bloc_name, year=papers.year),
    )
    layout.section(document, 2, _("Proposals for awards"))
    _awards(document, papers.standings.awards)
    layout.section(document, 3, _("Results of scoring and ranking"))
    _ranking(document, papers)
    layout.text(
        document,
        _("The bloc respectfully submits this to the Council for consideration and decision."),
    )
    layout.signatures(
        document,
        [_("Recipients:"), _("- As above;"), _("- Filed.")],
        [_("Bloc head").upper(), papers.head.name if papers.head else ""],
        sign_left=False,
    )
    return layout.finish(document)


def _front(papers: Papers, kind: str, place: str | None, name: str, subject: str) -> Document:
    """A new paper with its header (issuer, number, motto, date line) and title."""
    document = layout.start()
    dated = layout.long_date(papers.dated, papers.timezone)
    number = _("No.: …/{kind}").format(kind=kind)
    layout.header(document, papers.bloc_name, number, place, dated)
    layout.title(document, name, subject)
    return document


def _attendance(document: Document, papers: Papers) -> None:
    head, deputies = papers.head, papers.deputies
    if head is not None:
        layout.text(document, _("Chair: {agency}, bloc head.").format(agency=head.name))
    if deputies:
        names = ", ".join(d.name for d in deputies)
        layout.text(document, _("Deputy heads: {agencies}.").format(agencies=names))
    coming = [a for a in papers.attendance if a.comes]
    layout.text(
        document,
        ngettext(
            "{n} of {total} member agency attended:",
            "{n} of {total} member agencies attended:",
            len(papers.attendance),
        ).format(n=len(coming), total=len(papers.attendance)),
    )
    for number, attendee in enumerate(papers.attendance, start=1):
        line = f"{number}. {attendee.agency.name}: {_(ANSWERS[attendee.comes])}"
        if attendee.comes and attendee.names:
            line += f" ({excerpt(attendee.names, 200)})"
        layout.text(document, line)


def _ranking(document: Document, papers: Papers) -> None:
    standings = papers.standings
    if not standings.final:
        layout.text(document, _("Provisional ranking: the results are not final yet."))
    rows = [
        [str(n), p.agency.name, points(p.total), str(p.rank), _notes(p)]
        for n, p in enumerate(standings.placings, start=1)
    ]
    heads = [_("No."), _("Agency"), _("Total points"), _("Rank"), _("Notes")]
    layout.grid(document, heads, rows)
    if standings.leader is not None:
        leading = _("Leading unit: {agency}.").format(agency=standings.leader.name)
        layout.text(document, leading, bold=True)
    if standings.not_ranked:
        names = ", ".join(a.name for a in standings.not_ranked)
        layout.text(
            document, _("Not ranked (no sheet submitted): {agencies}.").format(agencies=names)
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


def _ballots(document: Document, ballots: tuple[BallotResult, ...], papers: Papers) -> None:
    if not ballots:
        layout.text(document, _("No secret ballot was held."))
    for ballot in ballots:
        layout.text(
            document,
            _("Secret ballot no. {id}, {what}, closed {when}:").format(
                id=ballot.id,
                what=kind_name(ballot.kind, ballot.title),
                when=when(ballot.closed_at, papers.timezone),
            ),
            bold=True,
        )
        layout.text(
            document,
            _("{voted} of {entitled} member agencies voted ({blank} blank).").format(
                voted=ballot.voted, entitled=ballot.entitled, blank=ballot.blank
            ),
        )
        for agency, votes in ballot.counts:
            count = ngettext("{n} vote", "{n} votes", votes).format(n=votes)
            layout.text(document, f"- {agency.name}: {count}")
        if not ballot.valid:
            layout.text(document, _("The quorum was not met: the ballot chose nobody."))
        elif ballot.winners:
            names = ", ".join(a.name for a in ballot.winners)
            layout.text(document, _("Chosen: {agencies}.").format(agencies=names))
        if ballot.tied:
            names = ", ".join(a.name for a in ballot.tied)
            layout.text(
                document, _("Tied, for the bloc to decide: {agencies}.").format(agencies=names)
            )


def _awards(document: Document, awards: tuple[AwardLine, ...]) -> None:
    if not awards:
        layout.text(document, _("The bloc file names no awards."))
    for number, award in enumerate(awards, start=1):
        line = ngettext("{title} ({n} unit)", "{title} ({n} units)", award.count)
        line = line.format(title=award.title, n=award.count)
        layout.text(document, f"{number}. {line}", bold=True)
        for agency in award.agencies:
            line = f"- {agency.name}"
            if award.ballot is not None and (votes := award.ballot.votes_of(agency.code)):
                line += " " + _(
                    "(acclaimed by secret ballot no. {id}: {votes}/{voted} votes)"
                ).format(id=award.ballot.id, votes=votes, voted=award.ballot.voted)
            layout.text(document, line)
        if award.tied:
            names = ", ".join(a.name for a in award.tied)
            layout.text(
                document,
                _("Equal points, for the bloc to decide: {agencies}.").format(agencies=names),
            )
        if not award.agencies and not award.tied:
            layout.text(document, _("Nobody is proposed."))
