"""``blocbot season new``: what was created, or one sentence saying why not."""

from __future__ import annotations

import pytest

from bot.cli import main
from tests.conftest import SAMPLE
from tests.integration.test_cli import cli_db  # noqa: F401  (the fixture)


@pytest.mark.usefixtures("cli_db")
def test_season_new_needs_the_head_without_a_ballot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    capsys.readouterr()

    assert main(["season", "new", "tw-thaibinh", "2022"]) == 1
    missing = capsys.readouterr()
    given = ["--head", "thue", "--deputy", "nhnn"]
    assert main(["season", "new", "tw-thaibinh", "2022", *given]) == 0
    created = capsys.readouterr().out
    assert main(["season", "new", "tw-thaibinh", "2022", "--head", "thue"]) == 1
    again = capsys.readouterr().err
    assert main(["season", "new", "nope", "2023", "--head", "thue"]) == 1
    unknown = capsys.readouterr().err
    assert main(["bloc", "list"]) == 0
    listing = capsys.readouterr().out

    assert missing.out == ""
    assert missing.err.strip() == (
        "No closed secret ballot elected the head and deputies for 2022: give them with "
        "--head CODE [--deputy CODE ...]."
    )
    lines = created.splitlines()
    assert lines[0].startswith("The emulation season 2022 of ") and "has started" in lines[0]
    assert "  Head: Cục Thuế tỉnh Thái Bình (given by the operator)." in lines
    assert "  17 criteria, as in 2021." in lines
    assert any(line.endswith("20/11/2021 17:00 → 20/11/2022 17:00") for line in lines)
    assert again.strip() == "The season 2022 exists already; the seasons are: 2021, 2022."
    assert unknown.strip() == "No bloc has the code nope."
    assert "2022" in listing
