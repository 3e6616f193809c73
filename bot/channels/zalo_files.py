"""Files on Zalo, which takes a photo only by its address and has no documented sendDocument.

An image goes as sendPhoto with the address of a signed link to the file on the bot's web
server; a document as a line with a signed download link to the same route. Zalo fetches the
photo itself, so the address must be public: BLOCBOT_PUBLIC_URL when set, else
BLOCBOT_WEBHOOK_URL, else the address the web server listens on (enough for the emulator and
trials on one machine).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.channels.attachments import kept
from bot.clock import Clock
from bot.config import Settings, parse_listen, revealed
from bot.handlers.model import Attachment, AttachmentKind
from bot.storage.files import FileLinks, FileStore, link_key


async def zalo_call(
    attachment: Attachment, files: FileStore, links: FileLinks
) -> tuple[str, dict[str, Any]]:
    """The method and parameters (but the chat) that send ``attachment`` on Zalo; its bytes,
    if it carries them, are put in the store first, where the link finds them."""
    url = links.url(await kept(attachment, files), attachment.filename)
    if attachment.kind is AttachmentKind.IMAGE:
        return "sendPhoto", {"photo": url}
    return "sendMessage", {"text": f"📎 {attachment.filename}\n{url}"}


def public_base(settings: Settings) -> str:
    """Where people and the platforms reach the bot's web server, for every signed link: the
    public address, else the webhook address, else the one it listens on (127.0.0.1 for every
    interface)."""
    if settings.public_url:
        return settings.public_url
    if settings.webhook_url:
        return settings.webhook_url
    host, port = parse_listen(settings.listen)
    if host in (None, "0.0.0.0", "::"):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def file_links(settings: Settings, clock: Clock | None = None) -> FileLinks:
    """The download links of the bot's web server, signed with a key derived from the webhook
    secret and the Zalo token: a link still works after a restart, and in every replica, for
    ``BLOCBOT_LINK_LIFETIME`` seconds."""
    key = link_key(revealed(settings.webhook_secret), revealed(settings.zalo_token))
    lifetime = timedelta(seconds=settings.link_lifetime)
    return FileLinks(key, public_base(settings), clock=clock, lifetime=lifetime)
