"""Serving a Bot API emulator over HTTP, shared by the project's emulators."""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

from aiohttp import web


def free_port() -> int:
    """A local port nobody listens on now (for a server started next, such as a replica's)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on a free local port while inside: its ``http://host:port``."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


class Served(ABC):
    """An emulator's local HTTP server: ``start()`` serves it (through ``serve``), ``stop()``
    closes it (through ``close_server``), and ``async with`` does both."""

    _runner: web.AppRunner | None = None
    base_url = ""  # ``http://host:port`` once serving

    @abstractmethod
    async def start(self) -> Self:
        """Serve the emulator (each emulator says how, through ``serve``)."""

    async def stop(self) -> None:
        await self.close_server()

    async def serve(self, app: web.Application, host: str, port: int, **options: Any) -> int:
        """Listen on host:port (port 0: any free one); sets ``base_url``; the port bound."""
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, **options)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        return int(bound_port)

    async def close_server(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
