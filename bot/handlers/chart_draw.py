"""The pictures of the ranking and of the progress, as PNG bytes (matplotlib, Agg, no pyplot).

The words are the presenter's (``_()``); the font is DejaVu Sans taken by file from matplotlib's
own data folder, so a picture looks the same on every machine and every Vietnamese letter
(ở, ư, ệ…) has its glyph. matplotlib is imported inside ``draw``: start-up and ``--version`` do
not pay for it. Rendering is CPU work: async callers run it with ``asyncio.to_thread``.
"""

from __future__ import annotations

import io
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.sheets import Progress
from bot.domain.year import ResultsStage
from bot.handlers.formatting import points
from bot.handlers.sheet_admin_text import standing_marks
from bot.i18n import _
from bot.services.results import ProgressView, StandingsView

NAME_WIDTH = 34  # characters of an agency's name on one line of the axis
ROW_INCHES = 0.42  # height of one line of a bar's label
DPI = 110

LEADER = "#c8102e"  # the leading unit: the red of the emulation flag
AWARDED = "#e8a33d"  # proposed for an award
RANKED = "#7a9cc6"  # ranked, no award
INELIGIBLE = "#d0d0d0"  # not eligible for awards: grey, hatched
AWARD_LINE = "#333333"
EDGE = "#555555"
STATUS_COLOURS = {
    Progress.SUBMITTED: "#3a8f4b",
    Progress.DRAFT: "#e8a33d",
    Progress.NOT_STARTED: "#b0b0b0",
}


@dataclass(frozen=True)
class Bar:
    """One bar of a picture: its label on the axis, length, the words at its end, its look."""

    label: str
    value: float
    note: str
    colour: str
    hatch: str | None = None
    bold: bool = False


@dataclass(frozen=True)
class Picture:
    """What a picture shows, in words: bars from the top down, lines under some of them."""

    title: str
    subtitle: str
    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str, str | None], ...]  # label, colour, hatch
    lines: tuple[tuple[int, str], ...] = ()  # under the bar at this index, this label
    limit: float | None = None  # the longest a bar can be (the criteria of a sheet)
    footer: str = ""


def font_file(bold: bool = False) -> Path:
    """DejaVu Sans as matplotlib ships it."""
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def _font(bold: bool = False, size: float = 9) -> Any:
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=font_file(bold), size=size)


def wrapped(name: str, width: int = NAME_WIDTH) -> str:
    """A name on lines of at most ``width`` characters, letters composed (NFC) for the font."""
    text = unicodedata.normalize("NFC", " ".join(name.split()))
    return "\n".join(textwrap.wrap(text, width)) or text


def ranking_picture(view: StandingsView) -> Picture:
    """The ranking as bars: highest at the top, shared ranks "2=", the leading unit in red,
    award proposals in amber, a line under the last place of each award, ineligible hatched."""
    progress = view.progress
    if view.final:
        title = _("Results of the emulation year {year}: {bloc}")
    elif progress.stage is ResultsStage.PROVISIONAL:
        title = _("Provisional results of the emulation year {year}: {bloc}")
    else:  # before the head publishes: only the head and deputies see it
        title = _("Provisional ranking of {bloc}, {year}, from the submitted sheets")
    awarded = {ref.code for award in view.awards for ref in award.agencies}
    leader = view.leader.code if view.leader is not None else None
    bars = []
    for placing in view.placings:
        code = placing.agency.code
        mark = f"{placing.rank}=" if placing.shared else f"{placing.rank}."
        note = "; ".join(standing_marks(placing)[: int(placing.late)])  # the hatch: ineligible
        value = points(placing.total) + (f" ({note})" if note else "")
        if not placing.eligible:
            colour, hatch = INELIGIBLE, "//"
        else:
            colour = LEADER if code == leader else AWARDED if code in awarded else RANKED
            hatch = None
        label = f"{mark} {wrapped(placing.agency.name)}"
        bars.append(Bar(label, float(placing.total), value, colour, hatch, code == leader))
    legend: list[tuple[str, str, str | None]] = []
    if view.leader is not None:
        legend.append((_("Leading unit: {agency}").format(agency=view.leader.name), LEADER, None))
    if awarded - {leader}:
        legend.append((_("proposed for an award"), AWARDED, None))
    if any(bar.colour == RANKED for bar in bars):
        legend.append((_("ranked, no award proposed"), RANKED, None))
    if view.ineligible():
        legend.append((_("not eligible for awards"), INELIGIBLE, "//"))
    index = {placing.agency.code: i for i, placing in enumerate(view.placings)}
    lines = []
    for award in view.awards:
        places = [index[ref.code] for ref in award.agencies if ref.code in index]
        if places and award.ballot is None:
            lines.append((max(places), award.title))
    footer = ""
    if view.not_ranked:
        footer = _("Not ranked (no submitted sheet): {agencies}").format(
            agencies=", ".join(agency.name for agency in view.not_ranked)
        )
    return Picture(
        title.format(year=progress.season_year, bloc=progress.bloc_name),
        "" if view.placings else _("No sheet has been submitted yet."),
        tuple(bars),
        tuple(legend),
        tuple(lines),
        footer=footer,
    )


def progress_picture(view: ProgressView) -> Picture:
    """Each agency's sheet as a bar of the criteria it answered, coloured by how far it is."""
    names = {
        Progress.SUBMITTED: _("Submitted:"),
        Progress.DRAFT: _("Still drafting:"),
        Progress.NOT_STARTED: _("Not started:"),
    }
    bars = tuple(
        Bar(
            wrapped(line.agency.name),
            float(line.answered),
            f"{line.answered}/{line.criteria}",
            STATUS_COLOURS[line.status],
        )
        for line in view.agencies
    )
    legend = tuple(
        (f"{names[status]} {len(view.having(status))}", colour, None)
        for status, colour in STATUS_COLOURS.items()
    )
    title = _("Self-score sheets of {bloc}, {year}: {done} of {total} submitted.").format(
        bloc=view.bloc_name,
        year=view.season_year,
        done=len(view.having(Progress.SUBMITTED)),
        total=len(view.agencies),
    )
    criteria = max((line.criteria for line in view.agencies), default=0)
    return Picture(title, "", bars, legend, limit=float(criteria) or None)


def draw(picture: Picture) -> bytes:
    """The picture as PNG bytes; the figure is its own (no pyplot state), dropped after."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    rows = sum(bar.label.count("\n") + 1 for bar in picture.bars)
    height = 2.2 + ROW_INCHES * max(rows, len(picture.bars) * 1.4, 3)
    figure = Figure(figsize=(10, height), dpi=DPI)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    regular, bold = _font(), _font(True)
    positions = list(range(len(picture.bars)))
    limit = max([picture.limit or 0.0, *(bar.value for bar in picture.bars)]) or 1.0
    for y, bar in zip(positions, picture.bars, strict=True):
        ax.barh(y, bar.value, color=bar.colour, hatch=bar.hatch, edgecolor=EDGE, linewidth=0.6)
        font = bold if bar.bold else regular
        ax.text(bar.value + limit * 0.01, y, bar.note, va="center", fontproperties=font)
    ax.set_yticks(positions, [bar.label for bar in picture.bars])
    for tick, bar in zip(ax.get_yticklabels(), picture.bars, strict=True):
        tick.set_fontproperties(bold if bar.bold else regular)
    ax.set_ylim(len(picture.bars) - 0.5, -0.7)  # the first bar at the top
    ax.set_xlim(0, limit * 1.35)
    ax.xaxis.set_visible(False)
    ax.spines["left"].set_visible(bool(picture.bars))
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    small = _font(size=8)
    for after, label in picture.lines:  # a dashed line under the last place of an award
        ax.axhline(after + 0.5, color=AWARD_LINE, linestyle="--", linewidth=1)
        ax.text(limit * 1.34, after + 0.45, label, ha="right", va="bottom", fontproperties=small)
    figure.suptitle(wrapped(picture.title, 80), fontproperties=_font(True, 12))
    if picture.subtitle:
        ax.text(
            0.5, 0.5, picture.subtitle, transform=ax.transAxes, ha="center", fontproperties=regular
        )
    footer = wrapped(picture.footer, 120) if picture.footer else ""
    if footer:
        figure.text(0.01, 0.01, footer, fontproperties=small)
    handles = [Patch(facecolor=c, hatch=h, edgecolor=EDGE, label=t) for t, c, h in picture.legend]
    if handles:
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.4, -0.01),
            ncols=2,
            prop=small,
            frameon=False,
        )
    bottom = (0.1 + 0.17 * (footer.count("\n") + 1)) / height if footer else 0
    figure.tight_layout(rect=(0, bottom, 1, 1 - 0.5 / height))
    out = io.BytesIO()
    try:
        figure.savefig(out, format="png")
    finally:
        figure.clear()
    return out.getvalue()


def texts_of(picture: Picture) -> Sequence[str]:
    """Every text the picture draws (to check that the font has each of its letters)."""
    texts = [picture.title, picture.subtitle, picture.footer]
    texts.extend(text for bar in picture.bars for text in (bar.label, bar.note))
    texts.extend(label for label, _colour, _hatch in picture.legend)
    texts.extend(label for _after, label in picture.lines)
    return texts
