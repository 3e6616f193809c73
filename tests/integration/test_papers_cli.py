"""``blocbot minutes`` and ``blocbot proposal``: a Word file written, in the language asked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from bot.cli import main
from tests.conftest import SAMPLE
from tests.integration.test_cli import cli_db  # noqa: F401  (the fixture)


@pytest.mark.usefixtures("cli_db")
def test_the_minutes_and_the_proposal_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["bloc", "import", str(SAMPLE)]) == 0
    minutes, proposal = tmp_path / "bien-ban.docx", tmp_path / "to-trinh.docx"

    assert main(["minutes", "tw-thaibinh", "--lang", "en", "-o", str(minutes)]) == 0
    assert capsys.readouterr().out.strip().endswith(str(minutes))
    given = ["--season", "2021", "--lang", "en", "-o", str(proposal)]
    assert main(["proposal", "tw-thaibinh", *given]) == 0
    assert main(["minutes", "nope", "-o", str(minutes)]) == 1
    unknown = capsys.readouterr().err
    assert main(["minutes", "tw-thaibinh", "--meeting", "x", "-o", str(minutes)]) == 1
    no_meeting = capsys.readouterr().err
    assert main(["proposal", "tw-thaibinh", "--season", "2019", "-o", str(proposal)]) == 1

    text = [p.text for p in Document(io.BytesIO(minutes.read_bytes())).paragraphs]
    assert "Year-end meeting on the emulation work of 2021" in text
    assert "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2021" in text
    assert "Provisional ranking: the results are not final yet." in text
    assert "No secret ballot was held." in text
    offer = [p.text for p in Document(io.BytesIO(proposal.read_bytes())).paragraphs]
    assert "On proposing awards for the emulation work of 2021" in offer
    assert "No bloc has the code nope" in unknown
    assert "ky-giao-uoc, tong-ket" in no_meeting

    # A province's template that is not a Word file: one line naming it, exit 1.
    templates = tmp_path / "templates"
    (templates / "en").mkdir(parents=True)
    (templates / "en" / "to-trinh.docx").write_text("Tờ trình", encoding="utf-8")
    monkeypatch.setenv("BLOCBOT_TEMPLATES", str(templates))
    capsys.readouterr()
    assert main(["proposal", "tw-thaibinh", "--lang", "en", "-o", str(proposal)]) == 1
    refused = capsys.readouterr().err
    assert refused == (
        f"The template {templates / 'en' / 'to-trinh.docx'} could not be used: it is not a "
        ".docx Word document (a .doc file has to be saved as .docx).\n"
    )
    assert main(["minutes", "tw-thaibinh", "--lang", "en", "-o", str(minutes)]) == 0
    monkeypatch.setenv("BLOCBOT_TEMPLATES", str(tmp_path / "nowhere"))
    assert main(["minutes", "tw-thaibinh", "-o", str(minutes)]) == 2
    assert capsys.readouterr().err.startswith("BLOCBOT_TEMPLATES: ")
