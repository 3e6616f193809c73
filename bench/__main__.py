"""Run every benchmark and print its figures."""

from __future__ import annotations

import asyncio

from bench import chat, storage


def main() -> None:
    asyncio.run(storage.run())
    asyncio.run(chat.run())


main()
