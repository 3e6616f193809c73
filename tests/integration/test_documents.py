"""The minutes of the year-end meeting and the proposal for awards as Word documents: the
ranking table, the ballot's counts, the motto header and the date line."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from docx import Document

from bot.app import App
from bot.clock import FrozenClock
from bot.domain.ballots import BallotKind
from bot.domain.events import EventKind
from bot.handlers.docx_papers import minutes_docx, proposal_docx
from bot.handlers.papers import file_name, render
from bot.handlers.rendering import portable, rendered
from bot.i18n import use_locale
from tests.integration.test_ballots import seed as seed_voters
from tests.integration.test_final_results import announce
from tests.integration.test_results_service import Seeded, fill
from tests.unit.handlers.test_paper_templates import own_template


def words(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Every paragraph's text (the body's and the tables'), and each bordered table's rows."""
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    rows: list[list[str]] = []
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text for cell in row.cells]
            lines += [line for cell in cells for line in cell.splitlines()]
            if table.style is not None and table.style.name == "Table Grid":
                rows.append(cells)
    return lines, rows


async def test_the_minutes_show_the_ranking_the_ballot_and_who_came(
    app: App, clock: FrozenClock, tmp_path: Path
) -> None:
    voters = await seed_voters(app)
    seeded = Seeded(voters.bloc_id, voters.agencies, voters.contacts)
    for code, points in (("thue", "25"), ("khobac", "25"), ("nhnn", "8.5")):
        await fill(app, seeded, code, I_1=points, I_2="0", I_3="0")
    ballots, head = app.services.ballots, seeded.contacts["nhnn"]
    ballot = await ballots.open(
        seeded.bloc_id, head, BallotKind.FLAG, clock.now() + timedelta(hours=24)
    )
    for code in ("nhnn", "thue", "khobac", "thongke", "dutru"):
        pick = "khobac" if code == "khobac" else "thue"  # 4 votes to 1
        await ballots.cast(seeded.bloc_id, ballot.id, seeded.agencies[code], (pick,))
    await ballots.close(seeded.bloc_id, ballot.id, head)
    [*_, meeting] = await app.services.tracking.open_events(seeded.bloc_id, EventKind.MEETING)
    tracking = app.services.tracking
    await tracking.answer(seeded.bloc_id, meeting.id, "thue", head, True, "Ông Trần Văn Lâm")
    await tracking.answer(seeded.bloc_id, meeting.id, "khobac", head, False)
    await announce(app, seeded, clock)

    papers = await app.services.documents.minutes(seeded.bloc_id)
    assert file_name("minutes", papers) == "bien-ban-tong-ket-tw-thaibinh-2021.docx"
    with use_locale("en"):
        lines, rows = words(minutes_docx(papers))

    assert "SOCIALIST REPUBLIC OF VIETNAM" in lines
    assert "Independence - Freedom - Happiness" in lines
    assert "Thái Bình, 20/12/2021" in lines
    assert "KHỐI THI ĐUA CÁC CƠ QUAN TRUNG ƯƠNG ĐÓNG TRÊN ĐỊA BÀN TỈNH THÁI BÌNH" in lines
    assert rows[0] == ["No.", "Agency", "Total points", "Rank", "Notes"]
    assert rows[1:] == [
        ["1", "Kho bạc Nhà nước Thái Bình", "25", "1", "equal points"],
        ["2", "Cục Thuế tỉnh Thái Bình", "25", "1", "equal points"],
        ["3", "Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Thái Bình", "8.5", "3", ""],
    ]
    assert "Time: 20/12/2021 14:00" in lines
    assert "5 of 8 member agencies voted (0 blank)." in lines
    assert "- Cục Thuế tỉnh Thái Bình: 4 votes" in lines
    assert "- Kho bạc Nhà nước Thái Bình: 1 vote" in lines
    assert any("Cục Thuế tỉnh Thái Bình: attends (Ông Trần Văn Lâm)" in line for line in lines)
    assert any("Kho bạc Nhà nước Thái Bình: does not attend" in line for line in lines)
    assert "BLOC HEAD" in lines and "SECRETARY" in lines

    with use_locale("vi"):
        _lines, rows = words(minutes_docx(papers))
    assert rows[3][2] == "8,5"  # points as Vietnamese write them

    proposal = await app.services.documents.proposal(seeded.bloc_id)
    with use_locale("en"):
        lines, _rows = words(proposal_docx(proposal))
    flag = lines.index("1. Cờ thi đua của UBND tỉnh (1 unit)")
    assert lines[flag + 1].startswith("- Cục Thuế tỉnh Thái Bình (acclaimed by secret ballot")
    certificates = lines.index("2. Bằng khen của Chủ tịch UBND tỉnh (2 units)")
    assert lines[certificates + 1] == "- Kho bạc Nhà nước Thái Bình"
    assert "To: the Emulation and Commendation Council of Thái Bình province" in lines

    # A province's own template, with a line per ranked agency in its own words.
    own_template(
        tmp_path,
        "bien-ban.docx",
        "{%p for p in ranking %}",
        "{{ p.no }}) {{ p.agency }}: {{ p.total }} điểm{% if p.shared %}, đồng hạng{% endif %}",
        "{%p endfor %}",
        "Phiếu bầu: {% for b in ballots %}{{ b.voted }}/{{ b.entitled }}{% endfor %}",
    )
    with use_locale("vi"):
        lines, rows = words(minutes_docx(papers, tmp_path))
    assert [line for line in lines if ") " in line and "điểm" in line] == [
        "1) Kho bạc Nhà nước Thái Bình: 25 điểm, đồng hạng",
        "2) Cục Thuế tỉnh Thái Bình: 25 điểm, đồng hạng",
        "3) Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Thái Bình: 8,5 điểm",
    ]
    assert "Phiếu bầu: 5/8" in lines
    assert rows[3][2] == "8,5"  # the shipped table is still there

    # In chat the paper is written in the drawing process, the same.
    assert portable(render, ("minutes", papers, tmp_path))
    with use_locale("vi"):
        assert words(await rendered(render, "minutes", papers, tmp_path)) == (lines, rows)
