"""Bot API methods about the bot itself, its updates, its commands, chats and files."""

from __future__ import annotations

import re
from typing import Any

from bot.testing.telegram_emulator.messaging import Handler
from bot.testing.telegram_emulator.people import FakeUser
from bot.testing.telegram_emulator.records import ChatState
from bot.testing.telegram_emulator.wire import JSON, ApiError, Params, bad_request
from bot.testing.telegram_emulator.world import World

_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_ADMIN_RIGHTS = {
    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
    "can_delete_messages": True, "can_manage_video_chats": True,
    "can_restrict_members": True, "can_promote_members": False, "can_change_info": True,
    "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
    "can_delete_stories": False, "can_pin_messages": True,
}  # fmt: skip
_RECORDED = (
    "setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton",
    "setMyDefaultAdministratorRights", "pinChatMessage", "unpinChatMessage",
    "unpinAllChatMessages",
)  # fmt: skip


def scope_key(scope: Any) -> str:
    """A readable key for a BotCommandScope: "default", "all_private_chats", "chat:-100123"."""
    if not isinstance(scope, dict) or scope.get("type", "default") == "default":
        return "default"
    kind = str(scope["type"])
    if "user_id" in scope:
        return f"{kind}:{scope.get('chat_id')}:{scope['user_id']}"
    if "chat_id" in scope:
        return f"{kind}:{scope['chat_id']}"
    return kind


def menu_of(
    commands: dict[tuple[str, str], list[JSON]],
    user: FakeUser,
    group_id: int | None,
    group: ChatState | None,
) -> list[str]:
    """The command names a client shows ``user`` in their chat with the bot (``group_id``
    None) or in a group, from what setMyCommands set: the narrowest scope that has commands,
    in the user's language before the list without a language."""
    if group_id is None:
        scopes = [f"chat:{user.id}", "all_private_chats", "default"]
    else:
        admin = group is not None and (user.id in group.admins or user.id == group.creator)
        scopes = [f"chat_member:{group_id}:{user.id}"]
        scopes += [f"chat_administrators:{group_id}"] if admin else []
        scopes += [f"chat:{group_id}"]
        scopes += ["all_chat_administrators"] if admin else []
        scopes += ["all_group_chats", "default"]
    language = (user.language_code or "").split("-")[0]
    for scope in scopes:
        for code in (language, "") if language else ("",):
            listed = commands.get((scope, code))
            if listed:
                return [command["command"] for command in listed]
    return []


class AdministrationMethods:
    """getMe, getUpdates, webhooks, commands, getChat*, leaveChat, getFile, close, logOut."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.webhook: JSON = {}

    def handlers(self) -> dict[str, Handler]:
        """The methods by their Bot API names."""
        handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "getChatMemberCount": self.get_chat_member_count,
            "leaveChat": self.leave_chat,
            "getFile": self.get_file,
            "close": self.done,
            "logOut": self.done,
        }
        for name in _RECORDED:
            handlers[name] = self._recorder(name)
        return handlers

    def _recorder(self, name: str) -> Handler:
        async def record(params: Params) -> bool:
            self.world.settings[name] = params.as_dict()
            return True

        return record

    async def done(self, params: Params) -> bool:
        """close / logOut: nothing to do here."""
        return True

    async def get_me(self, params: Params) -> JSON:
        """getMe: the bot's User, with the bot-only fields."""
        return self.world.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: Params) -> list[JSON]:
        """getUpdates: confirm by offset, then long-poll up to ``timeout`` seconds."""
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        limit = min(max(params.get_int("limit") or 100, 1), 100)
        timeout = max(params.get_float("timeout") or 0.0, 0.0)
        allowed = params.get_json("allowed_updates")
        return await self.world.feed.get_updates(
            params.get_int("offset"),
            limit,
            timeout,
            allowed if isinstance(allowed, list) else None,
        )

    async def set_webhook(self, params: Params) -> bool:
        """setWebhook: recorded only; tests deliver with ``tg.deliver_to()``."""
        if params.get_bool("drop_pending_updates"):
            self.world.feed.drop_pending()
        self.webhook = params.as_dict()
        return True

    async def delete_webhook(self, params: Params) -> bool:
        """deleteWebhook."""
        if params.get_bool("drop_pending_updates"):
            self.world.feed.drop_pending()
        self.webhook = {}
        return True

    async def get_webhook_info(self, params: Params) -> JSON:
        """getWebhookInfo."""
        info: JSON = {
            "url": self.webhook.get("url") or "",
            "has_custom_certificate": False,
            "pending_update_count": self.world.feed.pending_count,
        }
        if self.webhook.get("max_connections"):
            info["max_connections"] = int(self.webhook["max_connections"])
        errors = self.world.feed.webhook_errors
        if errors:
            info["last_error_message"] = errors[-1]
        return info

    @staticmethod
    def _command_key(params: Params) -> tuple[str, str]:
        return scope_key(params.get_json("scope")), params.get_str("language_code") or ""

    async def set_my_commands(self, params: Params) -> bool:
        """setMyCommands: kept per scope and language, see ``tg.commands``."""
        commands = params.get_json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.world.commands[self._command_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def get_my_commands(self, params: Params) -> list[JSON]:
        """getMyCommands: exactly the scope and language asked, no fallback."""
        return list(self.world.commands.get(self._command_key(params), []))

    async def delete_my_commands(self, params: Params) -> bool:
        """deleteMyCommands."""
        self.world.commands.pop(self._command_key(params), None)
        return True

    def _chat(self, params: Params) -> ChatState:
        chat_id = params.chat_id()
        state = self.world.chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is None:
            raise bad_request("chat not found")
        return state

    async def get_chat(self, params: Params) -> JSON:
        """getChat: a ChatFullInfo with the fields PTB requires."""
        return self._chat(params).info | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _user_json(self, user_id: int) -> JSON:
        if user_id == self.world.bot_id:
            return self.world.bot_user
        person = self.world.users.get(user_id)
        if person is not None:
            return person.to_json()
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}

    def _member(self, chat: ChatState, user_id: int) -> JSON:
        user = self._user_json(user_id)
        if user_id == self.world.bot_id:
            status = "administrator" if chat.bot_is_admin else "member"
            if chat.is_group and not chat.bot_present:
                status = "left"
        elif not chat.is_group:
            status = "member" if user_id == chat.id else "left"
        elif user_id == chat.creator:
            status = "creator"
        elif user_id in chat.admins:
            status = "administrator"
        else:
            status = "member" if user_id in chat.members else "left"
        if status == "creator":
            return {"status": status, "user": user, "is_anonymous": False}
        if status == "administrator":
            return {"status": status, "user": user} | _ADMIN_RIGHTS
        return {"status": status, "user": user}

    async def get_chat_member(self, params: Params) -> JSON:
        """getChatMember: creator / administrator / member as configured, "left" otherwise."""
        return self._member(self._chat(params), params.require_int("user_id"))

    async def get_chat_administrators(self, params: Params) -> list[JSON]:
        """getChatAdministrators: the creator, the admins, and the bot when it is one."""
        chat = self._chat(params)
        if not chat.is_group:
            raise bad_request("there are no administrators in the private chat")
        ids = [chat.creator] if chat.creator is not None else []
        ids += sorted(chat.admins - set(ids))
        if chat.bot_is_admin and self.world.bot_id is not None:
            ids.append(self.world.bot_id)
        return [self._member(chat, user_id) for user_id in ids]

    async def get_chat_member_count(self, params: Params) -> int:
        """getChatMemberCount: the people in the chat plus the bot."""
        chat = self._chat(params)
        return len(chat.members) + (1 if chat.bot_present else 0)

    async def leave_chat(self, params: Params) -> bool:
        """leaveChat: later sends to the group answer 403."""
        chat = self._chat(params)
        if not chat.is_group:
            raise bad_request("chat member status can't be changed in private chats")
        chat.bot_present = False
        chat.log.append("bot left the group")
        self.world.changed(chat)
        return True

    async def get_file(self, params: Params) -> JSON:
        """getFile: a file_path under the emulator's base_file_url."""
        stored = self.world.files.get(params.require_str("file_id"))
        if stored is None:
            raise bad_request("invalid file_id")
        body: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.size:
            body["file_size"] = stored.size
        body["file_path"] = stored.file_path
        return body
