"""Files on Telegram: an image goes as a photo (sendPhoto), anything else as a document
(sendDocument), uploaded with its file name and content type, without a caption."""

from __future__ import annotations

from bot.channels.attachments import content
from bot.channels.telegram_api import Upload
from bot.handlers.model import Attachment, AttachmentKind
from bot.storage.files import FileStore


def method(attachment: Attachment) -> str:
    """The Bot API method that sends ``attachment``."""
    return "sendPhoto" if attachment.kind is AttachmentKind.IMAGE else "sendDocument"


async def upload(attachment: Attachment, files: FileStore) -> tuple[str, dict[str, Upload]]:
    """The method that sends ``attachment`` and the file it uploads, by its parameter name;
    FileNotFoundError when the store lost its bytes."""
    data = await content(attachment, files)
    field = "photo" if attachment.kind is AttachmentKind.IMAGE else "document"
    return method(attachment), {field: Upload(attachment.filename, data, attachment.content_type)}
