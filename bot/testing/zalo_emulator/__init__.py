"""A local Zalo Bot API emulator for end-to-end tests, benchmarks and trying the bot by hand.

async with ZaloEmulator(bot_name="Bot Khối thi đua") as zl:
    # run the bot with BLOCBOT_ZALO_BASE_URL=zl.api_url BLOCBOT_ZALO_TOKEN=12345689:abc-xyz
    lan = zl.user("6ede9afa66b88fe6d6a9", "Lan")
    await lan.send("/start")
    reply = await zl.wait_reply(lan)
"""

from bot.testing.zalo_emulator.emulator import DEFAULT_TOKEN, ZaloEmulator
from bot.testing.zalo_emulator.people import ZaloGroup, ZaloUser
from bot.testing.zalo_emulator.records import (
    ChatState,
    Delivery,
    JoinRefused,
    ZaloMessage,
    ZaloStats,
)
from bot.testing.zalo_emulator.updates import SECRET_HEADER
from bot.testing.zalo_emulator.wire import ZaloError, utf16_units

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "ChatState",
    "Delivery",
    "JoinRefused",
    "ZaloEmulator",
    "ZaloError",
    "ZaloGroup",
    "ZaloMessage",
    "ZaloStats",
    "ZaloUser",
    "utf16_units",
]
