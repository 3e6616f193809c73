"""The command line as an operator uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import SAMPLE
from tests.unit.blocfile_cases import broken_variants, dump, sample_data


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BLOCBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BLOCBOT_LOCALE", "en")
    monkeypatch.delenv("BLOCBOT_TELEGRAM_TOKEN", raising=False)
    monkeypatch.delenv("BLOCBOT_TELEGRAM_BOT_USERNAME", raising=False)
    return database_url


def test_import_twice_then_list(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    first = capsys.readouterr().out
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    second = capsys.readouterr().out
    assert main(["bloc", "list"]) == 0
    listing = capsys.readouterr().out

    assert "+ agency thongke" in first and "+ criterion IV.1" in first
    assert "no changes" in second
    assert "tw-thaibinh" in listing and "2021" in listing and "0/8" in listing


def test_broken_file_exits_with_paths(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, path = broken_variants()["negative_max"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")

    assert main(["bloc", "import", str(broken)]) == 1
    assert main(["bloc", "list"]) == 0

    output = capsys.readouterr()
    assert path in output.err and "nothing was imported" in output.err
    assert "No blocs yet" in output.out


def test_refusal_names_what_and_how_many(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    data = sample_data()
    data["season"]["criteria"][0]["items"][0]["max"] = 20
    changed = tmp_path / "changed.yaml"
    changed.write_text(dump(data), encoding="utf-8")
    assert main(["bloc", "import", str(changed)]) == 0  # nothing scored yet: allowed
    assert "max: 25 → 20" in capsys.readouterr().out


def test_invites_table_with_deep_links(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BLOCBOT_TELEGRAM_BOT_USERNAME", "blocbot_test_bot")
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    capsys.readouterr()

    assert main(["invites", "tw-thaibinh"]) == 0
    table = capsys.readouterr().out.splitlines()

    thue = next(line for line in table if line.startswith("thue "))
    code = thue.split()[1]
    assert f"https://t.me/blocbot_test_bot?start={code}" in thue
    assert "0/3" in thue
    assert sum("/linkgroup" in line for line in table) == 1


def test_invites_for_unknown_bloc(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invites", "nope"]) == 1
    assert "No bloc has the code nope" in capsys.readouterr().err


def test_python_dash_m_and_vietnamese_by_default(tmp_path: Path) -> None:
    env = {"BLOCBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bloc", "list"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Chưa có khối nào" in done.stdout  # Vietnamese by default
