"""``blocbot run`` as a child process, pointed at a Bot API emulator: for tests and benchmarks.

bot = BotProcess.against(tg, database_url, tmp_path).start()
await bot.wait_running()
...  # people write through the emulator, the child answers
assert await bot.stop() == 0  # SIGTERM: a clean stop; bot.kill() is a crash
print(bot.log)
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol

ROOT = Path(__file__).resolve().parents[2]
RUNNING = "blocbot is running"
TOKEN = "123:ABC"
ZALO_TOKEN = "12345689:abc-xyz"
LISTENING = re.compile(r"web server listening on \S+:(\d+)")
# Settings a child takes from this process's environment (the others it is given): the suite
# draws its files at the bot's own priority, so that a busy machine does not hold them up.
INHERITED = frozenset({"BLOCBOT_RENDER_NICENESS"})


class Emulator(Protocol):
    """What the child needs from an emulator: where its Bot API is."""

    @property
    def api_url(self) -> str: ...


class BotProcess:
    """One ``python -m bot run`` child, its output kept in a log file."""

    def __init__(self, env: Mapping[str, str], workdir: Path, name: str = "blocbot") -> None:
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith("BLOCBOT_") or k in INHERITED
        }
        self.env.update(env)
        self.env.setdefault("BLOCBOT_LISTEN", "127.0.0.1:0")  # any free port: see web_port
        self.env["PYTHONUNBUFFERED"] = "1"
        self.env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
        )
        self._child: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        self._runs_before = 0

    @classmethod
    def against(
        cls,
        emulator: Emulator,
        database_url: str,
        workdir: Path,
        token: str = TOKEN,
        **settings: str,
    ) -> BotProcess:
        """A child talking to ``emulator`` with this database; ``settings`` are more BLOCBOT_ vars
        by their lower-case names (``locale="en"``)."""
        env = {
            "BLOCBOT_TELEGRAM_TOKEN": token,
            "BLOCBOT_TELEGRAM_BASE_URL": emulator.api_url,
            "BLOCBOT_DATABASE_URL": database_url,
        }
        env.update({f"BLOCBOT_{name.upper()}": value for name, value in settings.items()})
        return cls(env, workdir)

    @classmethod
    def against_zalo(
        cls,
        emulator: Emulator,
        database_url: str,
        workdir: Path,
        token: str = ZALO_TOKEN,
        **settings: str,
    ) -> BotProcess:
        """A child on the Zalo channel only, talking to a Zalo emulator."""
        env = {
            "BLOCBOT_ZALO_TOKEN": token,
            "BLOCBOT_ZALO_BASE_URL": emulator.api_url,
            "BLOCBOT_DATABASE_URL": database_url,
        }
        env.update({f"BLOCBOT_{name.upper()}": value for name, value in settings.items()})
        return cls(env, workdir)

    @property
    def web_port(self) -> int:
        """The port this run's web server listens on (once it is running)."""
        found = LISTENING.findall(self.log)
        if not found:
            raise RuntimeError(f"the web server is not listening:\n{self.log}")
        return int(found[-1])

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self, *args: str) -> BotProcess:
        """Start ``python -m bot run`` (or the given command line), appending to the log."""
        if self.running:
            raise RuntimeError("already running")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._runs_before = self.log.count(RUNNING)
        self._output = self.log_path.open("ab")
        self._child = subprocess.Popen(
            [sys.executable, "-m", "bot", *(args or ("run",))],
            cwd=self.workdir,
            env=self.env,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        return self

    @property
    def pid(self) -> int:
        return self._process().pid

    @property
    def running(self) -> bool:
        return self._child is not None and self._child.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self._child is None else self._child.poll()

    @property
    def log(self) -> str:
        """Everything the child printed so far (every run of it, in order)."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def wait_running(self, timeout: float = 30.0) -> None:
        """Wait until this run of the child logs that it is running (answering updates)."""
        child = self._process()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.log.count(RUNNING) <= self._runs_before:
            if child.poll() is not None:
                raise RuntimeError(f"blocbot exited with {child.returncode}:\n{self.log}")
            if loop.time() > deadline:
                raise TimeoutError(f"blocbot did not start within {timeout}s:\n{self.log}")
            await asyncio.sleep(0.05)

    async def wait_log(self, text: str, count: int = 1, timeout: float = 30.0) -> None:
        """Wait until the log holds ``text`` ``count`` times (over every run of the child)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.log.count(text) < count:
            if self._child is not None and self._child.poll() is not None:
                raise RuntimeError(f"blocbot exited with {self._child.returncode}:\n{self.log}")
            if loop.time() > deadline:
                raise TimeoutError(
                    f"{text!r} not logged {count} time(s) in {timeout}s:\n{self.log}"
                )
            await asyncio.sleep(0.05)

    async def wait(self, timeout: float = 10.0) -> int:
        """Wait for the child to exit; its exit code."""
        child = self._process()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while child.poll() is None:
            if loop.time() > deadline:
                raise TimeoutError(f"blocbot still running after {timeout}s")
            await asyncio.sleep(0.05)
        self._close_output()
        return child.returncode

    async def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL if it has not exited within ``timeout``; the exit code."""
        child = self._process()
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
        try:
            return await self.wait(timeout)
        except TimeoutError:
            return await self.kill()

    async def kill(self) -> int:
        """SIGKILL: stop as a crash would; the exit code (-9)."""
        child = self._process()
        if child.poll() is None:
            child.kill()
        return await self.wait(10.0)

    def _process(self) -> subprocess.Popen[bytes]:
        if self._child is None:
            raise RuntimeError("not started: call start() first")
        return self._child

    def _close_output(self) -> None:
        if self._output is not None:
            self._output.close()
            self._output = None

    async def __aenter__(self) -> BotProcess:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._child is not None and self.running:
            await self.stop()
        self._close_output()
