"""A local Telegram Bot API emulator for end-to-end tests and benchmarks.

async with TelegramEmulator() as tg:
    app = ApplicationBuilder().token("123:ABC").base_url(tg.api_url)
        .base_file_url(tg.file_url).build()
    lan = tg.user(1001, "Lan")
    await lan.send("/start")
    reply = await tg.wait_reply(lan)
"""

from bot.testing.telegram_emulator.emulator import TelegramEmulator
from bot.testing.telegram_emulator.people import FakeGroup, FakeUser
from bot.testing.telegram_emulator.records import (
    CallbackPress,
    ChatMessage,
    EmulatorStats,
    StoredFile,
)
from bot.testing.telegram_emulator.wire import ApiError

__all__ = [
    "ApiError",
    "CallbackPress",
    "ChatMessage",
    "EmulatorStats",
    "FakeGroup",
    "FakeUser",
    "StoredFile",
    "TelegramEmulator",
]
