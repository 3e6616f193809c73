"""The shipped templates of the papers (``bot/templates``): Word documents with Jinja tags, in
the words of the catalogs, that docxtpl fills with the fields of ``paper_fields``.

The words are written into the template once, when it is built: a province that replaces a
template edits them in Word like any other text. Build them again after changing this module or
a translation of its messages::

    python -m bot.handlers.docx_forms        # rewrites bot/templates/*.docx and en/*.docx

tests/unit/test_docx_forms.py checks that the shipped files are what this module builds.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx.document import Document

from bot.handlers import docx_layout as layout
from bot.handlers.docx_papers import SHIPPED, relative_path
from bot.i18n import LOCALES, _, ngettext, use_locale

MINUTES_NUMBER = "BB-KTĐ"  # the paper's kind and issuer in its number (Số: …/BB-KTĐ)
PROPOSAL_NUMBER = "TTr-KTĐ"


def minutes_form() -> bytes:
    """The minutes: time and place, who attended, the ranking, the ballots, the proposals."""
    subject = _("Year-end meeting on the emulation work of {year}").format(year="{{ year }}")
    document = _front(MINUTES_NUMBER, _("Minutes"), subject)
    layout.section(document, 1, _("Time and place"))
    _when(document, "meeting")
    layout.text(document, "{{ meeting.title }}")
    layout.text(document, _("Time: {when}").format(when="{{ meeting.time }}"))
    layout.text(document, _("Place: {place}").format(place="{{ meeting.place }}"))
    layout.control(document, "{%p else %}")
    layout.text(document, _("Time: ……  Place: ……"))
    _end(document)
    layout.section(document, 2, _("Attendance"))
    _attendance(document)
    layout.section(document, 3, _("Results of scoring and ranking"))
    _ranking(document)
    layout.section(document, 4, _("Results of the secret ballots"))
    _ballots(document)
    layout.section(document, 5, _("Proposals for awards"))
    _awards(document)
    layout.text(
        document,
        _("The minutes were read out to the meeting and agreed by those present."),
    )
    layout.signatures(
        document, [_("Secretary").upper(), ""], [_("Bloc head").upper(), "{{ head }}"]
    )
    return layout.finish(document)


def proposal_form() -> bytes:
    """The proposal to the provincial council: the award lines and the ranking behind them."""
    subject = _("On proposing awards for the emulation work of {year}").format(year="{{ year }}")
    document = _front(PROPOSAL_NUMBER, _("Proposal"), subject)
    _when(document, "province")
    to = _("To: the Emulation and Commendation Council of {province} province")
    layout.text(document, to.format(province="{{ province }}"), indent=False)
    layout.control(document, "{%p else %}")
    to = _("To: the provincial Emulation and Commendation Council")
    layout.text(document, to, indent=False)
    _end(document)
    layout.section(document, 1, _("Grounds"))
    layout.text(
        document,
        _(
            "Based on the results of scoring and ranking the member agencies of the {bloc} "
            "in {year}, and on the secret ballots of the bloc,"
        ).format(bloc="{{ bloc }}", year="{{ year }}"),
    )
    layout.section(document, 2, _("Proposals for awards"))
    _awards(document)
    layout.section(document, 3, _("Results of scoring and ranking"))
    _ranking(document)
    layout.text(
        document,
        _("The bloc respectfully submits this to the Council for consideration and decision."),
    )
    layout.signatures(
        document,
        [_("Recipients:"), _("- As above;"), _("- Filed.")],
        [_("Bloc head").upper(), "{{ head }}"],
        sign_left=False,
    )
    return layout.finish(document)


FORMS: dict[str, Callable[[], bytes]] = {"minutes": minutes_form, "proposal": proposal_form}


def build(folder: Path = SHIPPED) -> list[Path]:
    """Write every paper's template in every language into ``folder``; the files written."""
    written = []
    for locale in LOCALES:
        for kind, form in FORMS.items():
            path = folder / relative_path(kind, locale)
            path.parent.mkdir(parents=True, exist_ok=True)
            with use_locale(locale):
                path.write_bytes(form())
            written.append(path)
    return written


def _front(kind: str, name: str, subject: str) -> Document:
    """A new paper with its header (issuer, number, motto, date line) and title."""
    document = layout.start()
    dated = _("{day}/{month}/{year}").format(
        day="{{ date.day }}", month="{{ date.month }}", year="{{ date.year }}"
    )
    layout.header(
        document,
        "{{ bloc|upper }}",
        _("No.: …/{kind}").format(kind=kind),
        [_("SOCIALIST REPUBLIC OF VIETNAM"), _("Independence - Freedom - Happiness")],
        _("{place}, {date}").format(place="{{ province or '……' }}", date=dated),
    )
    layout.title(document, name, subject)
    return document


def _plural(forms: Callable[[int], str], count: str, **values: str) -> str:
    """The message in the current language for the number ``count`` (a field) holds: one
    text where the language has one form, else a tag choosing between the forms. ``forms``
    calls ``ngettext`` with the message written out, for the catalogs to find it."""
    one = forms(1).format(**values)
    many = forms(2).format(**values)
    if one == many:
        return one
    return f"{{% if {count} == 1 %}}{one}{{% else %}}{many}{{% endif %}}"


def _when(document: Document, condition: str) -> None:
    layout.control(document, f"{{%p if {condition} %}}")


def _end(document: Document) -> None:
    layout.control(document, "{%p endif %}")


def _attendance(document: Document) -> None:
    _when(document, "head")
    layout.text(document, _("Chair: {agency}, bloc head.").format(agency="{{ head }}"))
    _end(document)
    _when(document, "deputies")
    layout.text(document, _("Deputy heads: {agencies}.").format(agencies="{{ deputies }}"))
    _end(document)
    attended = _plural(
        lambda k: ngettext(
            "{n} of {total} member agency attended:", "{n} of {total} member agencies attended:", k
        ),
        "members",
        n="{{ attended }}",
        total="{{ members }}",
    )
    layout.text(document, attended)
    layout.control(document, "{%p for a in attendance %}")
    names = "{% if a.names %} ({{ a.names }}){% endif %}"
    layout.text(document, "{{ a.no }}. {{ a.agency }}: {{ a.answer }}" + names)
    layout.control(document, "{%p endfor %}")


def _ranking(document: Document) -> None:
    _when(document, "not final")
    layout.text(document, _("Provisional ranking: the results are not final yet."))
    _end(document)
    heads = [_("No."), _("Agency"), _("Total points"), _("Rank"), _("Notes")]
    row = ["{{ p.no }}", "{{ p.agency }}", "{{ p.total }}", "{{ p.rank }}", "{{ p.notes }}"]
    layout.grid(document, heads, row, "p in ranking", widths=(1.4, 7.0, 2.2, 1.8, 3.6))
    _when(document, "leader")
    leading = _("Leading unit: {agency}.").format(agency="{{ leader }}")
    layout.text(document, leading, bold=True)
    _end(document)
    _when(document, "not_ranked")
    left_out = _("Not ranked (no sheet submitted): {agencies}.")
    layout.text(document, left_out.format(agencies="{{ not_ranked }}"))
    _end(document)


def _ballots(document: Document) -> None:
    _when(document, "not ballots")
    layout.text(document, _("No secret ballot was held."))
    _end(document)
    layout.control(document, "{%p for b in ballots %}")
    heading = _("Secret ballot no. {id}, {what}, closed {when}:")
    what = {"id": "{{ b.id }}", "what": "{{ b.kind }}", "when": "{{ b.closed }}"}
    layout.text(document, heading.format(**what), bold=True)
    turnout = _("{voted} of {entitled} member agencies voted ({blank} blank).")
    counts = {"voted": "{{ b.voted }}", "entitled": "{{ b.entitled }}", "blank": "{{ b.blank }}"}
    layout.text(document, turnout.format(**counts))
    layout.control(document, "{%p for c in b.counts %}")
    votes = _plural(lambda k: ngettext("{n} vote", "{n} votes", k), "c.votes", n="{{ c.votes }}")
    layout.text(document, "- {{ c.agency }}: " + votes)
    layout.control(document, "{%p endfor %}")
    _when(document, "not b.valid")
    layout.text(document, _("The quorum was not met: the ballot chose nobody."))
    layout.control(document, "{%p elif b.winners %}")
    layout.text(document, _("Chosen: {agencies}.").format(agencies="{{ b.winners }}"))
    _end(document)
    _when(document, "b.tied")
    tied = _("Tied, for the bloc to decide: {agencies}.")
    layout.text(document, tied.format(agencies="{{ b.tied }}"))
    _end(document)
    layout.control(document, "{%p endfor %}")


def _awards(document: Document) -> None:
    _when(document, "not awards")
    layout.text(document, _("The bloc file names no awards."))
    _end(document)
    layout.control(document, "{%p for w in awards %}")
    line = _plural(
        lambda k: ngettext("{title} ({n} unit)", "{title} ({n} units)", k),
        "w.count",
        title="{{ w.title }}",
        n="{{ w.count }}",
    )
    layout.text(document, "{{ w.no }}. " + line, bold=True)
    layout.control(document, "{%p for a in w.agencies %}")
    acclaimed = _("(acclaimed by secret ballot no. {id}: {votes}/{voted} votes)").format(
        id="{{ w.ballot }}", votes="{{ a.votes }}", voted="{{ w.voted }}"
    )
    layout.text(document, "- {{ a.name }}{% if a.votes %} " + acclaimed + "{% endif %}")
    layout.control(document, "{%p endfor %}")
    _when(document, "w.tied")
    tied = _("Equal points, for the bloc to decide: {agencies}.")
    layout.text(document, tied.format(agencies="{{ w.tied }}"))
    _end(document)
    _when(document, "not w.agencies and not w.tied")
    layout.text(document, _("Nobody is proposed."))
    _end(document)
    layout.control(document, "{%p endfor %}")


if __name__ == "__main__":
    for written in build(Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED):
        print(written)
