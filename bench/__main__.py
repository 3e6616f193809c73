"""Run every benchmark and print its figures."""

from __future__ import annotations

import asyncio

from bench import chat, dispatcher, papers, replicas, scale, storage, zalo_chat


def main() -> None:
    asyncio.run(storage.run())
    telegram = asyncio.run(chat.run())
    asyncio.run(zalo_chat.run(telegram))
    asyncio.run(replicas.run())  # three replicas on PostgreSQL, when it answers
    asyncio.run(dispatcher.run())
    asyncio.run(papers.run())
    asyncio.run(scale.run())  # a thousand blocs


main()
