"""Files on Telegram: an image goes as a photo (sendPhoto), anything else as a document
(sendDocument), uploaded with its file name and content type, without a caption."""

from __future__ import annotations

from telegram import Bot, InputFile, Message

from bot.channels.attachments import content
from bot.handlers.model import Attachment, AttachmentKind
from bot.storage.files import FileStore


def method(attachment: Attachment) -> str:
    """The Bot API method that sends ``attachment``."""
    return "sendPhoto" if attachment.kind is AttachmentKind.IMAGE else "sendDocument"


async def send_file(bot: Bot, chat_id: str, attachment: Attachment, files: FileStore) -> Message:
    """Upload ``attachment`` to the chat; FileNotFoundError when the store lost its bytes."""
    upload = InputFile(await content(attachment, files), filename=attachment.filename)
    upload.mimetype = attachment.content_type
    if attachment.kind is AttachmentKind.IMAGE:
        return await bot.send_photo(chat_id, upload)
    return await bot.send_document(chat_id, upload)
