"""The words of the evidence (minh chứng) dialog: prompts, acknowledgements and refusals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.criteria import Criterion
from bot.domain.year import EvidenceRules
from bot.handlers.formatting import excerpt, fit_title
from bot.i18n import _, ngettext
from bot.services.evidence import Piece, Problem, Refused

IMAGE_TYPES = {"jpg", "jpeg", "png"}  # what a photo sent on Zalo can be


def count(code: str, pieces: int) -> str:
    """``I.1 📎 2``: a criterion and how many pieces it has."""
    return f"{code} 📎 {pieces}"


def pieces_of(pieces: int) -> str:
    return ngettext("{count} piece", "{count} pieces", pieces).format(count=pieces)


def types(rules: EvidenceRules) -> str:
    return ", ".join(t.upper() for t in rules.types)


def required(rules: EvidenceRules) -> str:
    """The line that names the criteria needing evidence, "" when none do."""
    if not rules.required:
        return ""
    return _("Evidence is required for: {codes}.").format(codes=", ".join(rules.required))


def choose(rules: EvidenceRules) -> str:
    lines = [_("Which criterion is the evidence for? Choose it, or send its code (like I.1).")]
    if line := required(rules):
        lines.append(line)
    return "\n".join(lines)


def prompt(
    criterion: Criterion, pieces: Sequence[Piece], rules: EvidenceRules, platform: str
) -> str:
    """What the person may send for ``criterion``, and what it has so far."""
    lines = [
        _("Evidence for {code} “{title}”: {pieces}.").format(
            code=criterion.code,
            title=fit_title(criterion.title, 60),
            pieces=pieces_of(len(pieces)),
        )
    ]
    lines.extend(f"• {line(piece)}" for piece in pieces)
    photos = [t.upper() for t in rules.types if t.casefold() in IMAGE_TYPES]
    if platform == "zalo" and photos:
        lines.append(
            _(
                "Send photos ({types}, up to {mb} MB each) or a link to the file; Zalo "
                "does not pass other files to bots. Words after a link are its caption."
            ).format(types=", ".join(photos), mb=rules.max_mb)
        )
    elif platform == "zalo":
        lines.append(_("Send a link to the file, followed by its caption if you like."))
    else:
        lines.append(
            _(
                "Send photos or files ({types}, up to {mb} MB each), with a caption if you "
                "like, or a link followed by its caption."
            ).format(types=types(rules), mb=rules.max_mb)
        )
    lines.append(_("Send /done when you have finished."))
    return "\n".join(lines)


def line(piece: Piece) -> str:
    """One piece in a list: its name (or address) and caption."""
    name = piece.filename if piece.kind == "file" else piece.url or ""
    shown = excerpt(name, 80)
    return f"{shown} — {excerpt(piece.caption, 80)}" if piece.caption else shown


def saved(piece: Piece, pieces: int) -> str:
    return _("Saved {name} for {code} ({pieces}).").format(
        name=excerpt(piece.name, 80), code=piece.code, pieces=pieces_of(pieces)
    )


def again(piece: Piece, pieces: int) -> str:
    return _("{name} is already evidence for {code} ({pieces}); it is not kept twice.").format(
        name=excerpt(piece.name, 80), code=piece.code, pieces=pieces_of(pieces)
    )


def removed(piece: Piece) -> str:
    return _("Removed {name} from {code}.").format(name=excerpt(piece.name, 80), code=piece.code)


def refused(error: Refused, filename: str = "") -> str:
    """Why a piece was not taken, and what is."""
    rules = error.rules
    if error.problem is Problem.TYPE:
        return _("{name} is not a file type the bloc takes as evidence; it takes {types}.").format(
            name=excerpt(filename, 60) or _("This file"), types=types(rules)
        )
    if error.problem is Problem.SIZE:
        return _("{name} is larger than {mb} MB, the most the bloc takes for one file.").format(
            name=excerpt(filename, 60) or _("This file"), mb=rules.max_mb
        )
    if error.problem is Problem.EMPTY:
        return _("{name} is empty; please send the file again.").format(
            name=excerpt(filename, 60) or _("This file")
        )
    if error.problem is Problem.URL:
        return _(
            "“{text}” is not a link I can keep: send an address starting with http:// or https://."
        ).format(text=excerpt(error.detail, 60))
    return _("There is no criterion {code}.").format(code=excerpt(error.detail, 20))


def not_file(platform: str) -> str:
    """A message in the dialog that is neither a file, a photo nor text."""
    if platform == "zalo":
        return _(
            "Zalo passes only photos to bots. Send the file as a link (for example from "
            "Google Drive), or take a photo of it."
        )
    return _("I take photos, files and links as evidence; this message is none of them.")


def summary(counts: Mapping[str, int], order: Sequence[str]) -> str:
    """Each criterion with evidence and how many pieces, in table order."""
    shown = [count(code, counts[code]) for code in order if counts.get(code)]
    return ", ".join(shown) if shown else _("no evidence yet")


def finished(counts: Mapping[str, int], order: Sequence[str]) -> str:
    return _("Evidence kept: {summary}.").format(summary=summary(counts, order))


def opened(agency: str, code: str, pieces: int) -> str:
    return _("Evidence of {agency} for {code}: {pieces}.").format(
        agency=agency, code=code, pieces=pieces_of(pieces)
    )


def agency_summary(agency: str, counts: Mapping[str, int], order: Sequence[str]) -> str:
    return "\n".join(
        [
            _("Evidence of {agency}: {summary}.").format(
                agency=agency, summary=summary(counts, order)
            ),
            _("Send /evidence AGENCY CODE to receive the pieces of one criterion."),
        ]
    )
