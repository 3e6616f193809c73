"""``GET /files/<token>/<name>``: a file of the store, for whoever holds a signed link to it.

Zalo fetches the photos the bot sends from here, and people download documents. A link that was
changed or not made by this bot answers 403, an expired one 403, a file no longer kept 404:
each in one line.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.i18n import _, use_locale
from bot.storage.files import BadLink, ExpiredLink, FileLinks, FileStore, FolderStore

CACHE = "private, max-age=3600"


def file_download(files: FileStore, links: FileLinks, locale: str) -> Handler:
    """The handler of the download route (``LINK_PATH``), answering in ``locale``."""

    async def download(request: web.Request) -> web.StreamResponse:
        filename = request.match_info["filename"]
        with use_locale(locale):
            try:
                ref = links.check(request.match_info["token"], filename)
            except ExpiredLink:
                return _line(403, _("This download link has expired; ask the bot again."))
            except BadLink:
                return _line(403, _("This download link is not valid."))
            gone = _("This file is no longer kept.")
        if isinstance(files, FolderStore):  # straight from the disk, with ranges and ETag
            if not await files.exists(ref):
                return _line(404, gone)
            return web.FileResponse(files.path(ref), headers=_headers(filename))
        try:
            data = await files.get(ref)  # one request to a bucket, not a HEAD and a GET
        except FileNotFoundError:
            return _line(404, gone)
        return web.Response(body=data, headers=_headers(filename))

    return download


def _headers(filename: str) -> dict[str, str]:
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    shown = "inline" if content_type.startswith("image/") else "attachment"
    return {
        "Content-Type": content_type,
        "Content-Disposition": disposition(shown, filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": CACHE,
    }


def disposition(kind: str, filename: str) -> str:
    """``attachment; filename="bang-diem.xlsx"; filename*=UTF-8''b%E1%BA%A3ng...``: the name
    for every browser, in ASCII and in full."""
    plain = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _line(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text + "\n")
