"""The neutral message model every channel translates to and from.

A channel (Telegram, Zalo, console) turns a platform update into an ``Incoming`` and renders each
``Outgoing`` the handlers return. Telegram shows ``buttons`` as an inline keyboard; Zalo and the
console show them as numbered options, answered with the number (``menu``) or the keyword.
``attachments`` go after the text: Telegram sends them as documents and photos, Zalo a photo by
its address on the bot's web server and a document as a download link, the console saves them.
Zalo passes no documents to bots, so where a reply asks for one (the filled sheet) its
``upload`` becomes a signed link to a page of the bot's web server that takes the file; what is
sent there comes back to the router as an ``UPLOAD`` update.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from bot.i18n import current_locale, use_locale


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class IncomingKind(StrEnum):
    TEXT = "text"  # a message with text (commands included)
    BUTTON = "button"  # a pressed button (Telegram callback query)
    EDITED = "edited"  # an edited earlier message: not read again
    FILE = "file"  # a photo or a file (``Incoming.file``), its caption as the text
    UNSUPPORTED = "unsupported"  # sticker, voice...: the bot reads only text
    WITHHELD = "withheld"  # the platform withheld the content (Zalo's protected senders)
    # A file sent through an upload page of the bot's web server (``file``); ``payload`` says
    # what for and on whose behalf, as the signed link did: ``template:CONTACT:AGENCY``.
    UPLOAD = "upload"


@dataclass(frozen=True)
class Sender:
    """The person behind an update, as the platform names them."""

    user_id: str
    display_name: str = ""
    language_code: str | None = None


@dataclass(frozen=True)
class IncomingFile:
    """A photo or file a person sent: what the platform says of it, and ``fetch`` to download
    its bytes, called only when the bot takes it (ValueError when larger than ``limit``)."""

    filename: str
    content_type: str
    size: int | None  # bytes, when the platform says before the download
    fetch: Callable[[int], Awaitable[bytes]] = field(compare=False, repr=False)
    image: bool = False  # a photo (Telegram's largest size, Zalo's photo address)


@dataclass(frozen=True)
class Incoming:
    """One update from a person, in any channel."""

    platform: str  # telegram, zalo, console
    update_id: str  # unique per platform; a second delivery is ignored
    chat_id: str
    chat_kind: ChatKind
    sender: Sender
    kind: IncomingKind = IncomingKind.TEXT
    text: str = ""
    payload: str | None = None  # the pressed button's payload
    callback_id: str | None = None  # to acknowledge a pressed button
    message_id: str | None = None  # the message the button was on
    chat_title: str = ""
    bot_username: str | None = None  # so "/cmd@bot" can be told from "/cmd@otherbot"
    # The payloads of the buttons on the bot's message this one replies to (Telegram's
    # reply-to): they say which prompt a typed answer is for.
    reply_payloads: tuple[str, ...] = ()
    # True where the channel shows buttons (Telegram); False where choices are numbered
    # options answered with a number (Zalo, the console).
    buttons_shown: bool = False
    # Where the platform numbers a chat's messages from both sides in one sequence (Telegram),
    # this message's number: a gap since the person's last message means the bot spoke between.
    sequence: int | None = None
    sent_at: datetime | None = None  # when the platform says the person sent it
    file: IncomingFile | None = None  # the photo or file of a FILE update

    @property
    def in_group(self) -> bool:
        return self.chat_kind is ChatKind.GROUP


@dataclass(frozen=True)
class Button:
    """A choice offered with a reply; ``payload`` must stay under 64 bytes."""

    label: str
    payload: str
    keyword: str | None = None  # what to type on a channel without buttons


class AttachmentKind(StrEnum):
    DOCUMENT = "document"  # a file to download (an export)
    IMAGE = "image"  # a picture shown in the chat (a chart)


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: its bytes, or ``file_ref``, a reference to the file store."""

    kind: AttachmentKind
    filename: str  # what the person sees and saves it as: a name, no folder
    content_type: str  # image/png, application/vnd.openxmlformats-officedocument...
    data: bytes | None = None
    file_ref: str | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.file_ref is None):
            raise ValueError("an attachment has either data or a file_ref, not both or none")
        name = self.filename
        folders = "/" in name or "\\" in name or name in (".", "..")
        if folders or not name.strip() or not name.isprintable():
            raise ValueError(f"attachment file name {name!r} is not a plain file name")
        if "/" not in self.content_type:
            raise ValueError(f"attachment content type {self.content_type!r} is not TYPE/SUBTYPE")


@dataclass(frozen=True)
class Upload:
    """A file a reply asks for that the platform does not pass to bots (a filled sheet on
    Zalo): the channel shows ``label`` and a signed link to the page that takes it for the
    person of the update; channels whose chats carry files leave it out."""

    purpose: str  # the router's upload handler that reads it: ``template``
    contact_id: int
    agency_id: int
    label: str  # the line above the link, in the reply's language


@dataclass(frozen=True)
class Outgoing:
    """A message the bot sends: to the chat of the update (``chat_id`` None) or elsewhere."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    platform: str | None = None  # None: the platform of the update
    chat_id: str | None = None  # None: the chat of the update
    edit: bool = False  # replace the message whose button was pressed
    menu: bool = False  # numbered options answer with a number on channels without buttons
    locale: str | None = None  # the language it was written in (for the words around options)
    attachments: tuple[Attachment, ...] = ()  # sent after the text, in order
    upload: Upload | None = None  # where the file it asks for is sent, on Zalo

    def rows(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


@dataclass
class Replies:
    """What handling one update produced, in order."""

    messages: list[Outgoing] = field(default_factory=list)
    notice: str | None = None  # acknowledgement of the pressed button, if any
    menu_changed: bool = False  # the person's links changed: their command menu is redone
    outcome: str = "handled"  # handled; duplicate (delivered before); failed (nothing kept)
    # Run once the update's work is committed, before the replies go: slow work (drawing a
    # picture) that must not keep the database from others. One that fails is logged only.
    later: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def add(self, message: Outgoing) -> None:
        if message.locale is None:
            message = replace(message, locale=current_locale())
        self.messages.append(message)

    def attach_later(
        self, message: Outgoing, make: Callable[[], Awaitable[Attachment | Outgoing | None]]
    ) -> None:
        """Add ``message``; once the work is committed, ``make`` runs in the language spoken
        now: the attachment it gives goes with the message, a message it gives goes instead
        (why the file could not be made), and with none (or if it fails) the message goes as
        it is."""
        self.add(message)
        index = len(self.messages) - 1
        locale = current_locale()

        async def attach() -> None:
            with use_locale(locale):
                made = await make()
            if made is None:
                return
            sent = self.messages[index]
            if isinstance(made, Outgoing):
                self.messages[index] = replace(made, locale=sent.locale)
            else:
                self.messages[index] = replace(sent, attachments=(*sent.attachments, made))

        self.later.append(attach)
