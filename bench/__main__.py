"""Run every benchmark and print its figures."""

from __future__ import annotations

import asyncio

from bench import chat, dispatcher, storage, zalo_chat


def main() -> None:
    asyncio.run(storage.run())
    telegram = asyncio.run(chat.run())
    asyncio.run(zalo_chat.run(telegram))
    asyncio.run(dispatcher.run())
    asyncio.run(__import__("bench.scale").scale.run())  # a thousand blocs


main()
