"""How a replica is named in /healthz, /metrics, the log and the outbox's claims."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.app import build
from bot.config import Settings, problems


def settings(tmp_path: Path, **values: object) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'blocbot.db'}"
    return Settings(_env_file=None, database_url=url, **values)  # type: ignore[call-arg, arg-type]


async def test_a_replica_is_its_host_and_process_unless_named(tmp_path: Path) -> None:
    unnamed, named = build(settings(tmp_path)), build(settings(tmp_path, replica_name="hn-2"))
    try:
        assert unnamed.replica == f"{socket.gethostname()}:{os.getpid()}"
        assert named.replica == "hn-2"
        assert named.leadership().replica == "hn-2"
        assert named.dispatcher(senders=None).worker_id == "hn-2"  # type: ignore[arg-type]
    finally:
        await unnamed.close()
        await named.close()


@pytest.mark.parametrize("name", ["blocbot 1", "x" * 51, "bot/1"])
def test_a_name_that_cannot_be_shown_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        settings(tmp_path, replica_name=name)

    (problem,) = problems(refused.value)
    assert (problem.variable, problem.value) == ("BLOCBOT_REPLICA_NAME", name)
    assert problem.accepted == "1 to 50 letters, digits, . _ : @ or -, like blocbot-1"


def test_an_empty_name_is_no_name(tmp_path: Path) -> None:
    assert settings(tmp_path, replica_name="  ").replica_name is None
