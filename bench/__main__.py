"""Run every benchmark and print its figures."""

from __future__ import annotations

import asyncio

from bench import chat, dispatcher, storage


def main() -> None:
    asyncio.run(storage.run())
    asyncio.run(chat.run())
    asyncio.run(dispatcher.run())


main()
