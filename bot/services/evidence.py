"""Evidence (minh chứng) for the criteria of a self-score sheet: files and links.

A file is checked against the bloc's rules (``season.evidence``: its type by extension and
content type, its size) before its bytes are fetched, kept once in the file store under the
SHA-256 of its bytes, and recorded as a row of the sheet's criterion; the same file twice on
one criterion is one piece. Pieces are added and removed while the sheet is open for changes,
and every addition and removal is in the audit trail (field ``evidence``).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from bot.clock import Clock
from bot.domain.year import EvidenceRules, SeasonRules
from bot.services.audit import sheet_change
from bot.services.evidence_check import EvidenceMissing as EvidenceMissing  # re-exported
from bot.services.scoring import NoSeason, ScoringService, SeasonShape, SheetClosed, SheetView
from bot.storage.files import FileStore
from bot.storage.models import Evidence
from bot.storage.repositories.sheets import SheetRow
from bot.storage.uow import UnitOfWork

FILE = "file"
LINK = "link"
MB = 1024 * 1024
URL_LIMIT = 2000  # characters of a link
CAPTION_LIMIT = 500  # characters of a caption
NAME_LIMIT = 120  # characters of a file name
# Content types each accepted extension may come with (besides application/octet-stream,
# which is what a platform says when it does not know).
_TYPES = {
    "pdf": ("application/pdf",),
    "doc": ("application/msword",),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    "xls": ("application/vnd.ms-excel",),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    "jpg": ("image/jpeg",),
    "jpeg": ("image/jpeg",),
    "png": ("image/png",),
}
_UNKNOWN = ("application/octet-stream", "")


class Problem(StrEnum):
    TYPE = "type"  # an extension or content type the bloc does not take
    SIZE = "size"  # larger than max_mb
    EMPTY = "empty"  # no bytes
    URL = "url"  # not an http(s) address
    CRITERION = "criterion"  # no such criterion in the table


class Refused(Exception):
    """A piece the rules do not take: ``problem``, with the rules it was checked against."""

    def __init__(self, problem: Problem, rules: EvidenceRules, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.rules = rules
        self.detail = detail


@dataclass(frozen=True)
class Piece:
    """One piece of evidence as the chat shows it."""

    id: int
    code: str  # the criterion's
    kind: str  # file or link
    filename: str
    content_type: str
    size: int
    ref: str | None
    url: str | None
    caption: str | None
    added_at: datetime

    @property
    def name(self) -> str:
        """What it is called: the file name, or the address."""
        return self.filename if self.kind == FILE else self.url or ""

    @property
    def image(self) -> bool:
        return self.content_type.startswith("image/")


@dataclass(frozen=True)
class Added:
    """The piece added (or found already there: ``again``) and how many its criterion has."""

    piece: Piece
    count: int
    again: bool = False


@dataclass(frozen=True)
class _Sheet:
    view: SheetView
    sheet_id: int | None  # None: the agency has no sheet yet
    season_id: int
    shape: SeasonShape
    rules: EvidenceRules


@dataclass(frozen=True)
class _OpenSheet(_Sheet):
    sheet_id: int


Fetch = Callable[[int], Awaitable[bytes]]


class EvidenceService:
    """Adds, lists, removes and opens the evidence of agencies' sheets."""

    def __init__(
        self,
        unit: UnitOfWork,
        clock: Clock,
        scoring: ScoringService,
        shapes: dict[int, SeasonShape],
        files: FileStore,
    ) -> None:
        self.unit = unit
        self.clock = clock
        self.scoring = scoring
        self._shapes = shapes
        self.files = files

    async def rules(self, bloc_id: int) -> EvidenceRules:
        """What evidence the bloc's current season asks for."""
        current = await self.unit.seasons.current(bloc_id)
        if current is None:
            raise NoSeason(bloc_id)
        return SeasonRules.from_json(await self.unit.evidence.rules(current[0])).evidence

    async def counts(self, bloc_id: int, agency_id: int) -> dict[str, int]:
        """How many pieces each criterion of the agency's sheet has, by code (0s left out)."""
        sheet = await self._sheet(bloc_id, agency_id)
        if sheet.sheet_id is None:
            return {}
        counts = await self.unit.evidence.counts(sheet.sheet_id)
        return {sheet.shape.codes[c]: n for c, n in counts.items() if c in sheet.shape.codes}

    async def pieces(self, bloc_id: int, agency_id: int, code: str | None = None) -> list[Piece]:
        """The pieces of the agency's sheet (of criterion ``code`` only, if given)."""
        sheet = await self._sheet(bloc_id, agency_id)
        criterion_id = self._criterion(sheet, code) if code is not None else None
        if sheet.sheet_id is None:
            return []
        rows = await self.unit.evidence.pieces(sheet.sheet_id, criterion_id)
        return [_piece(row, sheet.shape) for row in rows]

    async def add_file(
        self,
        bloc_id: int,
        agency_id: int,
        contact_id: int,
        code: str,
        filename: str,
        content_type: str,
        size: int | None,
        fetch: Fetch,
        caption: str | None = None,
    ) -> Added:
        """Check a file against the rules, fetch it (only then), keep it and record it."""
        sheet = await self._open(bloc_id, agency_id)
        criterion_id = self._criterion(sheet, code)
        rules = sheet.rules
        content_type = _checked_type(filename, content_type, rules)
        limit = rules.max_mb * MB
        if size is not None and size > limit:
            raise Refused(Problem.SIZE, rules, str(size))
        try:
            data = await fetch(limit)
        except ValueError:
            raise Refused(Problem.SIZE, rules, "") from None
        if len(data) > limit:
            raise Refused(Problem.SIZE, rules, str(len(data)))
        if not data:
            raise Refused(Problem.EMPTY, rules)
        ref = await self.files.put(data)
        pieces = await self.unit.evidence.pieces(sheet.sheet_id, criterion_id)
        for row in pieces:
            if row.kind == FILE and row.ref == ref:
                return Added(_piece(row, sheet.shape), len(pieces), again=True)
        row = Evidence(
            kind=FILE,
            ref=ref,
            filename=plain_name(filename),
            content_type=content_type,
            size=len(data),
            caption=_caption(caption),
        )
        return await self._record(sheet, criterion_id, contact_id, row, len(pieces))

    async def add_link(
        self,
        bloc_id: int,
        agency_id: int,
        contact_id: int,
        code: str,
        url: str,
        caption: str | None = None,
    ) -> Added:
        """Record a link (http or https) as a piece of the criterion."""
        sheet = await self._open(bloc_id, agency_id)
        criterion_id = self._criterion(sheet, code)
        url = url.strip()
        if not is_link(url):
            raise Refused(Problem.URL, sheet.rules, url)
        pieces = await self.unit.evidence.pieces(sheet.sheet_id, criterion_id)
        for row in pieces:
            if row.kind == LINK and row.url == url:
                return Added(_piece(row, sheet.shape), len(pieces), again=True)
        row = Evidence(kind=LINK, url=url, caption=_caption(caption))
        return await self._record(sheet, criterion_id, contact_id, row, len(pieces))

    async def remove(self, bloc_id: int, agency_id: int, contact_id: int, piece_id: int) -> Piece:
        """Remove a piece of the agency's sheet (kept in the table, marked removed); LookupError
        when the sheet has no such piece."""
        sheet = await self._open(bloc_id, agency_id)
        rows = await self.unit.evidence.pieces(sheet.sheet_id)
        row = next((row for row in rows if row.id == piece_id), None)
        if row is None:
            raise LookupError(piece_id)
        now = self.clock.now()
        await self.unit.evidence.remove(row.id, now)
        piece = _piece(row, sheet.shape)
        await self._audit(sheet, contact_id, row.criterion_id, piece.name, None, now)
        return piece

    async def agency(self, bloc_id: int, code: str) -> tuple[int, str] | None:
        """The id and name of the bloc's agency ``code`` (any case), or None."""
        found = await self.unit.evidence.agency(bloc_id, code)
        return (found[0], found[2]) if found else None

    # -- inside ---------------------------------------------------------------------------

    async def _record(
        self, sheet: _OpenSheet, criterion_id: int, contact_id: int, row: Evidence, before: int
    ) -> Added:
        now = self.clock.now()
        row.sheet_id = sheet.sheet_id
        row.criterion_id = criterion_id
        row.added_by_id = contact_id
        row.added_at = now
        self.unit.evidence.add(row)
        await self.unit.evidence.flush()
        piece = _piece(row, sheet.shape)
        await self._audit(sheet, contact_id, criterion_id, None, piece.name, now)
        return Added(piece, before + 1)

    async def _audit(
        self,
        sheet: _OpenSheet,
        contact_id: int,
        criterion_id: int,
        old: str | None,
        new: str | None,
        now: datetime,
    ) -> None:
        ids = (sheet.sheet_id, sheet.season_id, sheet.view.agency_id)
        facts = sheet_change(now, ids, contact_id, "evidence", old, new, criterion_id)
        await self.unit.audit.append(sheet.view.bloc_id, [replace(facts, subject=old or new)])

    async def _sheet(self, bloc_id: int, agency_id: int, *, make: bool = False) -> _Sheet:
        view = await self.scoring.sheet(bloc_id, agency_id)  # reads the season's shape
        current = await self.unit.seasons.current(bloc_id)
        assert current is not None
        season_id = current[0]
        sheets = self.unit.sheets
        row: SheetRow | None = None
        if make:
            row = await sheets.ensure(season_id, agency_id, self.clock.now())
        else:
            row = await sheets.read(season_id, agency_id)
        rules = SeasonRules.from_json(await self.unit.evidence.rules(season_id)).evidence
        shape = self._shapes[season_id]
        return _Sheet(view, row.id if row else None, season_id, shape, rules)

    async def _open(self, bloc_id: int, agency_id: int) -> _OpenSheet:
        """The agency's sheet (made if need be), which must be open for changes."""
        sheet = await self._sheet(bloc_id, agency_id, make=True)
        if sheet.view.closed is not None:
            raise SheetClosed(sheet.view.closed)
        assert sheet.sheet_id is not None
        return _OpenSheet(sheet.view, sheet.sheet_id, sheet.season_id, sheet.shape, sheet.rules)

    @staticmethod
    def _criterion(sheet: _Sheet, code: str) -> int:
        criterion = sheet.view.table.find(code)
        if criterion is None:
            raise Refused(Problem.CRITERION, sheet.rules, code)
        return sheet.shape.ids[criterion.code]


def is_link(text: str) -> bool:
    """An http or https address with a host, of at most URL_LIMIT characters."""
    if len(text) > URL_LIMIT or any(c.isspace() for c in text) or not text.isprintable():
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def plain_name(filename: str) -> str:
    """A file name to keep and send back: no folders, nothing unprintable, not too long."""
    name = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in filename).strip()
    stem, dot, ext = name.rpartition(".")
    if len(name) > NAME_LIMIT:
        name = (stem[: NAME_LIMIT - len(ext) - 1] + dot + ext) if dot else name[:NAME_LIMIT]
    return name if name.strip(". _") else "file"


def extension(filename: str) -> str:
    """The lower-case extension of a file name, without the dot ("" for none)."""
    stem, dot, ext = filename.rpartition(".")
    return ext.casefold() if dot and stem else ""


def _checked_type(filename: str, content_type: str, rules: EvidenceRules) -> str:
    """The content type a file is kept with; Refused when its type is not the bloc's."""
    ext = extension(filename)
    accepted = {t.casefold().lstrip(".") for t in rules.types}
    if ext not in accepted:
        raise Refused(Problem.TYPE, rules, ext)
    given = (content_type or "").split(";")[0].strip().lower()
    expected = _TYPES.get(ext)
    if given in _UNKNOWN or expected is None:
        guessed = expected[0] if expected else mimetypes.guess_type(filename)[0]
        return given if given not in _UNKNOWN else guessed or "application/octet-stream"
    if given not in expected:
        raise Refused(Problem.TYPE, rules, f"{ext} {given}")
    return given


def _caption(text: str | None) -> str | None:
    text = (text or "").strip()
    return text[:CAPTION_LIMIT] or None


def _piece(row: Evidence, shape: SeasonShape) -> Piece:
    return Piece(
        id=row.id,
        code=shape.codes.get(row.criterion_id, "?"),
        kind=row.kind,
        filename=row.filename or "",
        content_type=row.content_type or "",
        size=row.size or 0,
        ref=row.ref,
        url=row.url,
        caption=row.caption,
        added_at=row.added_at,
    )
