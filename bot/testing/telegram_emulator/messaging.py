"""Bot API methods that put things in chats: send, edit, delete, answer button presses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.testing.telegram_emulator.formatting import (
    MAX_CAPTION,
    MAX_TEXT,
    check_reply_markup,
    plain_text,
)
from bot.testing.telegram_emulator.limits import FloodLimits
from bot.testing.telegram_emulator.records import ChatMessage, ChatState, StoredFile
from bot.testing.telegram_emulator.wire import (
    JSON,
    ApiError,
    Params,
    Upload,
    bad_request,
    forbidden,
)
from bot.testing.telegram_emulator.world import World

Handler = Callable[[Params], Awaitable[Any]]

_CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}  # fmt: skip
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class MessageMethods:
    """sendMessage, sendPhoto, sendDocument, sendSticker, editMessage*, deleteMessage, ..."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.flood: FloodLimits | None = None

    def handlers(self) -> dict[str, Handler]:
        """The methods by their Bot API names."""
        return {
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendSticker": self.send_sticker,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
        }

    # -- shared steps ------------------------------------------------------------------------

    def target(self, params: Params) -> ChatState:
        """The chat a send goes to: 400 when never seen, 403 when the bot may not write there."""
        chat_id = params.chat_id()
        state = self.world.chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is None:
            raise bad_request("chat not found")
        if state.type == "private" and state.id in self.world.blocked:
            raise forbidden("bot was blocked by the user")
        if state.is_group and not state.bot_present:
            raise forbidden(f"bot is not a member of the {state.type} chat")
        return state

    def _reply_to(self, chat: ChatState, params: Params) -> ChatMessage | None:
        reply = params.get_json("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            lenient = bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = params.get_int("reply_to_message_id")
            lenient = params.get_bool("allow_sending_without_reply")
        if message_id is None:
            return None
        replied = chat.by_id.get(int(message_id))
        if replied is None or replied.deleted:
            if not lenient:
                raise bad_request("message to be replied not found")
            return None
        return replied

    def _admit(self, chat: ChatState) -> None:
        if self.flood is not None:
            try:
                self.flood.admit(chat.id, chat.is_group)
            except ApiError:
                self.world.stats.rate_limited += 1
                raise

    def _record(self, chat: ChatState, **fields: Any) -> ChatMessage:
        message = ChatMessage(
            chat=chat,
            message_id=chat.next_message_id(),
            date=self.world.now(),
            sender=self.world.bot_user,
            from_bot=True,
            **fields,
        )
        chat.by_id[message.message_id] = message
        chat.bot_messages.append(message)
        chat.log.append(f"bot: {message.describe()}")
        self.world.changed(chat)
        return message

    @staticmethod
    def _text(params: Params, name: str = "text") -> tuple[str, str]:
        source = params.get_str(name) or ""
        plain = plain_text(source, params.get_str("parse_mode")) if source else ""
        if not plain.strip():
            raise bad_request("message text is empty")
        if len(plain) > MAX_TEXT:
            raise bad_request("message is too long")
        return source, plain

    @staticmethod
    def _caption(params: Params) -> tuple[str | None, str | None]:
        source = params.get_str("caption")
        if not source:
            return None, None
        plain = plain_text(source, params.get_str("parse_mode"))
        if len(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return source, plain

    def _editable(self, params: Params) -> ChatMessage:
        if params.has("inline_message_id"):
            raise bad_request("message to edit not found")
        chat_id = params.chat_id()
        state = self.world.chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is None:
            raise bad_request("chat not found")
        message = state.by_id.get(params.require_int("message_id"))
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    @staticmethod
    def _inline_markup(params: Params) -> JSON | None:
        markup = check_reply_markup(params.get_json("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        return markup or None

    def _edited(self, message: ChatMessage, what: str) -> JSON:
        message.edit_count += 1
        message.edit_date = self.world.now()
        message.chat.log.append(f"bot edited #{message.message_id} ({what}): {message.describe()}")
        self.world.changed(message.chat)
        return message.to_json()

    # -- methods -----------------------------------------------------------------------------

    async def send_message(self, params: Params) -> JSON:
        """sendMessage: text of 1..4096 characters once entities are parsed."""
        chat = self.target(params)
        source, plain = self._text(params)
        markup = check_reply_markup(params.get_json("reply_markup"))
        reply_to = self._reply_to(chat, params)
        self._admit(chat)
        message = self._record(
            chat,
            text=plain,
            source=source,
            parse_mode=params.get_str("parse_mode"),
            reply_markup=markup,
            reply_to=reply_to,
        )
        return message.to_json()

    async def _send_file(self, params: Params, kind: str) -> JSON:
        chat = self.target(params)
        stored = self._file(params, kind)
        source, caption = self._caption(params)
        markup = check_reply_markup(params.get_json("reply_markup"))
        reply_to = self._reply_to(chat, params)
        self._admit(chat)
        message = self._record(
            chat,
            kind=kind,
            caption=caption,
            source=source,
            parse_mode=params.get_str("parse_mode"),
            file=stored,
            reply_markup=markup,
            reply_to=reply_to,
        )
        return message.to_json()

    def _file(self, params: Params, kind: str) -> StoredFile:
        given = params.get_file(kind)
        world = self.world
        size = {"photo": (800, 600), "sticker": (512, 512)}.get(kind, (0, 0))
        extra = (
            {"is_animated": False, "is_video": False, "type": "regular"}
            if kind == "sticker"
            else {}
        )
        if isinstance(given, Upload):
            return world.store_file(
                kind,
                content=given.content,
                file_name=given.filename if kind == "document" else None,
                mime_type=given.content_type,
                width=size[0],
                height=size[1],
                extra=extra,
            )
        if given is None or not given:
            raise bad_request(f"there is no {kind} in the request")
        if given.startswith(("http://", "https://")):
            name = given.rstrip("/").rpartition("/")[2] or None
            return world.store_file(
                kind,
                url=given,
                file_name=name if kind == "document" else None,
                width=size[0],
                height=size[1],
                extra=extra,
            )
        known = world.files.get(given)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return known

    async def send_photo(self, params: Params) -> JSON:
        """sendPhoto: an upload, a file_id or a URL (never fetched), with a caption."""
        return await self._send_file(params, "photo")

    async def send_document(self, params: Params) -> JSON:
        """sendDocument: like sendPhoto; the upload's file name is kept."""
        return await self._send_file(params, "document")

    async def send_sticker(self, params: Params) -> JSON:
        """sendSticker."""
        return await self._send_file(params, "sticker")

    async def edit_message_text(self, params: Params) -> JSON:
        """editMessageText: a missing reply_markup removes the inline keyboard, as on Telegram."""
        message = self._editable(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        source, plain = self._text(params)
        markup = self._inline_markup(params)
        parse_mode = params.get_str("parse_mode")
        rendered = source if parse_mode else plain
        current = message.source if message.parse_mode else message.text
        if (plain, rendered, markup) == (message.text, current, message.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        message.text, message.source, message.parse_mode = plain, source, parse_mode
        message.reply_markup = markup
        return self._edited(message, "text")

    async def edit_message_caption(self, params: Params) -> JSON:
        """editMessageCaption."""
        message = self._editable(params)
        if message.file is None:
            raise bad_request("there is no caption in the message to edit")
        source, caption = self._caption(params)
        markup = self._inline_markup(params)
        if (caption, markup) == (message.caption, message.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        message.caption, message.source = caption, source
        message.reply_markup = markup
        return self._edited(message, "caption")

    async def edit_message_reply_markup(self, params: Params) -> JSON:
        """editMessageReplyMarkup: no reply_markup removes the keyboard."""
        message = self._editable(params)
        markup = self._inline_markup(params)
        if markup == (message.reply_markup if message.has_inline_keyboard else None):
            raise bad_request(_NOT_MODIFIED)
        message.reply_markup = markup
        return self._edited(message, "buttons")

    async def delete_message(self, params: Params) -> bool:
        """deleteMessage."""
        chat_id = params.chat_id()
        state = self.world.chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is None:
            raise bad_request("chat not found")
        message = state.by_id.get(params.require_int("message_id"))
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        if state.is_group and not message.from_bot and not state.bot_is_admin:
            raise bad_request("message can't be deleted")
        message.deleted = True
        state.log.append(f"bot deleted #{message.message_id}")
        self.world.changed(state)
        return True

    async def answer_callback_query(self, params: Params) -> bool:
        """answerCallbackQuery: once per press; unknown or repeated ids are "too old"."""
        press = self.world.presses.get(params.require_str("callback_query_id"))
        if press is None or press.answered:
            raise bad_request(_QUERY_TOO_OLD)
        press.answered = True
        press.text = params.get_str("text")
        press.show_alert = params.get_bool("show_alert")
        press.url = params.get_str("url")
        press.cache_time = params.get_int("cache_time") or 0
        self.world.answered_callbacks.append(press)
        chat = press.message.chat
        shown = (
            f": {press.text!r}" + (" (alert)" if press.show_alert else "") if press.text else ""
        )
        chat.log.append(f"bot answered the press of [{press.label}]{shown}")
        self.world.changed(chat)
        return True

    async def send_chat_action(self, params: Params) -> bool:
        """sendChatAction ("typing", ...)."""
        chat = self.target(params)
        action = params.require_str("action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True
