"""``make pictures``: the sample year the README's pictures show, and the charts drawn without
LibreOffice, with one sentence saying what to install for the papers' pages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from bot.testing import pictures

PNG = b"\x89PNG\r\n\x1a\n"


async def test_the_sample_year_has_a_leader_a_tie_a_late_sheet_and_one_missing(
    tmp_path: Path,
) -> None:
    year, progress = await pictures.sample_year(tmp_path / "year.db")
    try:
        view = await year.app.services.results.standings(year.bloc_id)
    finally:
        await year.app.close()

    assert view.final and view.leader is not None and view.leader.code == "khobac"
    assert [(p.agency.code, p.total, p.rank) for p in view.placings] == [
        ("khobac", Decimal("100.5"), 1),
        ("haiquan", 98, 2),
        ("thue", Decimal("95.5"), 3),
        ("nhnn", Decimal("94.5"), 4),
        ("bhxh", Decimal("94.5"), 5),  # behind nhnn on group I
        ("thongke", Decimal("93.5"), 6),
        ("dutru", 91, 7),
    ]
    placings = {p.agency.code: p for p in view.placings}
    assert not placings["haiquan"].eligible and placings["thongke"].late
    assert placings["bhxh"].decided_by is not None
    assert [[a.code for a in award.agencies] for award in view.awards] == [
        ["khobac"],
        ["thue", "nhnn"],
    ]
    assert [a.code for a in view.not_ranked] == ["qltt"]
    assert progress.startswith(PNG)


def test_without_libreoffice_the_charts_are_drawn_and_one_sentence_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pictures.shutil, "which", lambda _tool: None)

    assert pictures.main([str(tmp_path)]) == 1

    assert sorted(path.name for path in tmp_path.iterdir()) == ["chart.png", "progress.png"]
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert data.startswith(PNG) and len(data) < 250_000
        with Image.open(path) as image:
            assert image.width >= 800
    said = capsys.readouterr()
    (line,) = said.err.splitlines()
    assert "soffice and pdftoppm are not installed" in line
    assert "apt-get install" in line and "libreoffice" in line and "poppler-utils" in line
    assert "chart.png" in said.out and "Traceback" not in said.err
