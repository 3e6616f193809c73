"""``blocbot bloc import`` of many files or a folder in one process, as an operator runs it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.storage.db import create_engine
from tests.conftest import SAMPLE
from tests.unit.blocfile_cases import broken_variants, dump, sample_data


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BLOCBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BLOCBOT_LOCALE", "en")
    monkeypatch.delenv("BLOCBOT_TELEGRAM_TOKEN", raising=False)
    monkeypatch.delenv("BLOCBOT_TELEGRAM_BOT_USERNAME", raising=False)
    return database_url


def bloc(folder: Path, name: str, code: str) -> Path:
    """A copy of the sample as the bloc ``code``, written to ``folder/name``."""
    data = sample_data()
    data["bloc"]["code"] = code
    path = folder / name
    path.write_text(dump(data), encoding="utf-8")
    return path


def test_a_folder_imports_every_bloc_file_in_it_with_a_line_for_each(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "blocs"
    folder.mkdir()
    bloc(folder, "b.yaml", "khoi-b")
    bloc(folder, "a.yml", "khoi-a")
    (folder / "notes.txt").write_text("not a bloc", encoding="utf-8")
    (folder / "old").mkdir()
    bloc(folder / "old", "c.yaml", "khoi-c")  # subfolders are not read

    assert main(["bloc", "import", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert main(["bloc", "list"]) == 0
    listing = capsys.readouterr().out

    assert out[0] == f"[1/2] {folder / 'a.yml'}: Bloc khoi-a, season 2021: 42 changes."
    assert out[1] == f"[2/2] {folder / 'b.yaml'}: Bloc khoi-b, season 2021: 42 changes."
    assert out[2].startswith("2 of 2 bloc files imported (2 with changes) in ")
    assert "khoi-a" in listing and "khoi-b" in listing and "khoi-c" not in listing


def test_a_bad_file_is_one_sentence_and_the_others_are_imported(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, where = broken_variants()["negative_max"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    good = bloc(tmp_path, "good.yaml", "khoi-tot")
    missing = tmp_path / "missing.yaml"

    status = main(["bloc", "import", str(broken), str(missing), str(good), str(SAMPLE)])
    output = capsys.readouterr()

    assert status == 1
    errors = [line for line in output.err.splitlines() if not line.endswith("open scoring.")]
    assert errors[0].startswith(f"[1/4] {broken}: not imported: {where}")
    assert errors[1] == f"[2/4] {missing}: not imported: file not found."
    assert errors[2] == f"2 files were not imported: {broken}, {missing}."
    assert len(errors) == 3  # one sentence each, and the summary
    lines = output.out.splitlines()
    assert lines[0] == f"[3/4] {good}: Bloc khoi-tot, season 2021: 42 changes."
    assert lines[1] == f"[4/4] {SAMPLE}: Bloc tw-thaibinh, season 2021: 42 changes."
    assert lines[2].startswith("2 of 4 bloc files imported (2 with changes)")
    assert main(["bloc", "import", str(good), str(SAMPLE)]) == 0  # again: nothing to change
    again = capsys.readouterr().out
    assert "Bloc khoi-tot, season 2021: no changes." in again
    assert "2 of 2 bloc files imported (0 with changes)" in again


def test_a_folder_without_bloc_files_says_so(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["bloc", "import", str(tmp_path)])
    output = capsys.readouterr()

    assert status == 1
    assert f"{tmp_path}: no bloc file (.yaml or .yml) in this folder." in output.err
    assert "0 of 0 bloc files imported" in output.out


def test_one_file_reads_as_before(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bloc", "import", str(SAMPLE)]) == 0

    out = capsys.readouterr().out
    assert out.startswith("Bloc tw-thaibinh, season 2021: 42 changes.\n  + ")
    assert "[1/1]" not in out


# PostgreSQL only: SQLite's planner goes by the indexes, there is nothing to refresh.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_after_an_import_postgresql_plans_on_the_tables_as_they_are(
    cli_db: str, tmp_path: Path
) -> None:
    for n in range(3):
        bloc(tmp_path, f"{n}.yaml", f"khoi-{n}")
    started = datetime.now(UTC)

    assert main(["bloc", "import", str(tmp_path)]) == 0

    assert analyzed(cli_db, "agencies", started) and analyzed(cli_db, "season_members", started)


def analyzed(url: str, table: str, since: datetime) -> bool:
    """Whether ANALYZE has read ``table`` (of the URL's schema) since ``since``."""

    async def read() -> bool:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                query = text(
                    "SELECT coalesce(last_analyze >= :since, false) FROM pg_stat_user_tables"
                    " WHERE relname = :table AND schemaname = current_schema()"
                )
                found = await connection.execute(query, {"table": table, "since": since})
                return bool(found.scalar_one())
        finally:
            await engine.dispose()

    return asyncio.run(read())
