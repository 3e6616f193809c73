"""``/upload/<token>``: the page at which a person sends the bot a file their chat cannot carry:
the filled self-score sheet on Zalo, which passes no documents to bots.

GET shows a small form in the person's language: the agency, the year, what is accepted. POST
takes the file from the form (read up to the sheet's limit and no further), hands it to the
router as an ``UPLOAD`` update of the person's chat (``hand_in``: the channel then sends the
bot's reply to that chat, as after any message) and answers the page with the outcome, the form
below it for another try. The link works for whom it names until it expires, as often as it is
used; a link changed or not made by this bot, expired, or whose person no longer speaks for its
agency answers 403 with one sentence.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import BodyPartReader, web

from bot.handlers.context import Begin
from bot.handlers.model import ChatKind, Incoming, IncomingFile, IncomingKind, Replies, Sender
from bot.handlers.sheet_text import closed
from bot.handlers.template import UPLOAD
from bot.handlers.template_xlsx import CONTENT_TYPE, MAX_BYTES
from bot.i18n import _, current_locale, use_locale
from bot.services.people import Link
from bot.services.scoring import NoSeason
from bot.storage.files import BadLink, ExpiredLink, FileLinks, UploadGrant

FIELD = "file"  # the form's file input
CHUNK = 64 * 1024
FORM_SLACK = 16 * 1024  # what a form adds around its file: boundaries, headers, a name
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the address is the key: no other site sees it
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
}
STYLE = (
    "body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;line-height:1.5}"
    "p.outcome{border-left:4px solid #f2c200;padding-left:.8em}"
)
# Hands an update to the channel of its platform; its replies, which that channel sends.
HandIn = Callable[[Incoming], Awaitable[Replies]]


@dataclass(frozen=True)
class _Holder:
    """Who holds a valid upload link: the contact's link to the agency it names."""

    grant: UploadGrant
    link: Link
    language: str


class SheetUploads:
    """The upload page of the filled sheet: ``page`` (GET) and ``take`` (POST) at
    ``UPLOAD_PATH``; what it cannot say in the person's language it says in ``locale``."""

    def __init__(self, links: FileLinks, begin: Begin, hand_in: HandIn, locale: str) -> None:
        self.links = links
        self.begin = begin
        self.hand_in = hand_in
        self.locale = locale

    async def page(self, request: web.Request) -> web.Response:
        """The form, or why the link does not take a file."""
        holder = await self._holder(request)
        if isinstance(holder, web.Response):
            return holder
        with use_locale(holder.language):
            year, shut = await self._sheet(holder.link)
            if shut is not None:
                return _page(_title(), [_about(holder.link, year), shut])
            return _page(_title(), [_about(holder.link, year), _accepted()], form=True)

    async def take(self, request: web.Request) -> web.Response:
        """Read the sent file as the chat would, and say how it went."""
        holder = await self._holder(request)
        if isinstance(holder, web.Response):
            return holder
        with use_locale(holder.language):
            if (request.content_length or 0) > MAX_BYTES + FORM_SLACK:
                return _page(_title(), [_too_large()], status=413, form=True)
            if request.content_type != "multipart/form-data":
                return _page(_title(), [_choose()], status=400, form=True)
            try:
                sent = await _file_of(request)
            except ValueError:
                sent = None
            if sent is None:
                return _page(_title(), [_choose()], status=400, form=True)
        replies = await self.hand_in(_incoming(holder.grant, sent))
        told = [m for m in replies.messages if m.chat_id in (None, holder.grant.chat_id)]
        language = (told[0].locale if told else None) or holder.language
        with use_locale(language):
            outcome = _outcome([m.text for m in told])
            status = 500 if replies.outcome == "failed" else 200
            year, shut = await self._sheet(holder.link)
            about = _about(holder.link, year)
            return _page(_title(), [about], outcome, status=status, form=shut is None)

    async def _holder(self, request: web.Request) -> _Holder | web.Response:
        """The person a link names, with their link to its agency; or the 403 page."""
        with use_locale(self.locale):
            try:
                grant = self.links.check_upload(request.match_info["token"])
            except ExpiredLink:
                return _refused(
                    _("This upload link has expired; send /template in the chat for a new one.")
                )
            except BadLink:
                return _refused(_("This upload link is not valid."))
            if grant.purpose != UPLOAD:
                return _refused(_("This upload link is not valid."))
            async with self.begin() as services:
                person = await services.people.person(grant.platform, grant.user_id)
            link = None
            if person is not None and person.contact_id == grant.contact_id:
                link = next((a for a in person.links if a.agency_id == grant.agency_id), None)
            if person is None or link is None:
                return _refused(
                    _(
                        "This upload link no longer works: the account it was made for is no "
                        "longer linked to the agency."
                    )
                )
            return _Holder(grant, link, person.language)

    async def _sheet(self, link: Link) -> tuple[int | None, str | None]:
        """The year of the agency's sheet, and why it takes no file now, if it does not."""
        async with self.begin() as services:
            try:
                sheet = await services.scoring.sheet(link.bloc_id, link.agency_id)
            except NoSeason:
                return None, _("Your bloc has no season to score yet.")
        if sheet.closed is None:
            return sheet.season_year, None
        return sheet.season_year, closed(sheet.closed, sheet, link.bloc_timezone)


async def _file_of(request: web.Request) -> IncomingFile | None:
    """The form's file, its one field, read up to the limit and a little past it: what is
    larger is not read on, and nothing else the request holds is read at all."""
    part = await (await request.multipart()).next()
    if not isinstance(part, BodyPartReader) or part.name != FIELD:
        return None
    name = part.filename or ""
    kind = part.headers.get("Content-Type", "")
    data = bytearray()
    while len(data) <= MAX_BYTES and (chunk := await part.read_chunk(CHUNK)):
        data.extend(chunk)
    if not name and not data:
        return None  # the form sent without a file chosen
    return _sent(name or "sheet.xlsx", kind, bytes(data[: MAX_BYTES + 1]))


def _sent(name: str, kind: str, data: bytes) -> IncomingFile:
    async def fetch(limit: int) -> bytes:
        if len(data) > limit:
            raise ValueError(f"{name} is larger than {limit} bytes")
        return data

    return IncomingFile(name, kind, len(data), fetch)


def _incoming(grant: UploadGrant, file: IncomingFile) -> Incoming:
    """The update the router gets for a file sent through ``grant``'s page: in the person's
    chat, known by a key of its own (every sending is read again)."""
    return Incoming(
        platform=grant.platform,
        update_id="upload-" + secrets.token_hex(16),
        chat_id=grant.chat_id,
        chat_kind=ChatKind.PRIVATE,
        sender=Sender(grant.user_id),
        kind=IncomingKind.UPLOAD,
        payload=f"{grant.purpose}:{grant.contact_id}:{grant.agency_id}",
        file=file,
    )


def _outcome(texts: list[str]) -> str:
    """What the bot answered, for the page: its first paragraph, and where the rest is."""
    if not texts:
        return ""
    first, _sep, more = texts[0].partition("\n\n")
    if more or len(texts) > 1:
        return first + "\n" + _("The whole answer is in your chat with the bot.")
    return first


def _title() -> str:
    return _("Send the filled self-score sheet")


def _about(link: Link, year: int | None) -> str:
    if year is None:
        return link.agency_name
    return _("The self-score sheet of {agency} for {year}, {bloc}.").format(
        agency=link.agency_name, year=year, bloc=link.bloc_name
    )


def _accepted() -> str:
    return _(
        "Choose the sheet from /template with the scores written in its yellow column: a "
        "plain .xlsx workbook of at most {limit} MB, without formulas or macros. The bot reads "
        "it as it reads the file in the chat, and answers here and in the chat."
    ).format(limit=MAX_BYTES // 1_000_000)


def _choose() -> str:
    return _("Choose the filled sheet (an .xlsx file) in the form, then send it.")


def _too_large() -> str:
    return _(
        "The file is larger than {limit} MB, the most a sheet may be; nothing was saved."
    ).format(limit=MAX_BYTES // 1_000_000)


def _refused(sentence: str) -> web.Response:
    return _page(_("This link does not work"), [sentence], status=403)


def _page(
    title: str,
    paragraphs: list[str],
    outcome: str = "",
    *,
    status: int = 200,
    form: bool = False,
) -> web.Response:
    """A small HTML page in the current language: the title, the outcome, the paragraphs, and
    the form that sends a file to this address."""
    parts = [
        "<!doctype html>",
        f'<html lang="{current_locale()}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if outcome:
        parts.append(f'<p class="outcome">{_lines(outcome)}</p>')
    parts.extend(f"<p>{_lines(text)}</p>" for text in paragraphs if text)
    if form:
        accept = html.escape(f".xlsx,{CONTENT_TYPE}")
        button = html.escape(_("Send"))
        parts.append(
            '<form method="post" enctype="multipart/form-data">'
            f'<p><input type="file" name="{FIELD}" accept="{accept}" required></p>'
            f'<p><button type="submit">{button}</button></p></form>'
        )
    parts.append("</body></html>")
    return web.Response(
        status=status,
        text="\n".join(parts) + "\n",
        content_type="text/html",
        charset="utf-8",
        headers=HEADERS,
    )


def _lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))
