"""The ranking and progress pictures: valid PNGs, every Vietnamese letter in the font."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from decimal import Decimal

from fontTools.ttLib import TTFont
from PIL import Image

from bot.domain.sheets import Progress, SheetTotals
from bot.handlers.chart_draw import (
    LEADER,
    draw,
    font_file,
    progress_picture,
    ranking_picture,
    texts_of,
    wrapped,
)
from bot.i18n import use_locale
from bot.services.results import (
    AgencyProgress,
    AgencyRef,
    AwardLine,
    ProgressView,
    RankedAgency,
    StandingsView,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TNMT = AgencyRef("tnmt", "Sở Tài nguyên và Môi trường")
NAMES = [
    TNMT,
    AgencyRef("xd", "Sở Xây dựng tỉnh Thái Bình"),
    AgencyRef("nhnn", "Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Thái Bình"),
    AgencyRef("thue", "Cục Thuế tỉnh Thái Bình – Phòng Kiểm tra nội bộ"),
    AgencyRef("dutru", "Cục Dự trữ Nhà nước khu vực Thái Bình, Hưng Yên"),
]
AS_OF = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)


def progress_view() -> ProgressView:
    statuses = [Progress.SUBMITTED] * 4 + [Progress.NOT_STARTED]
    return ProgressView(
        bloc_name="Khối thi đua các cơ quan Trung ương",
        timezone="Asia/Ho_Chi_Minh",
        season_year=2025,
        agencies=tuple(
            AgencyProgress(ref, status, 17 if status is Progress.SUBMITTED else 0, 17, None, 1)
            for ref, status in zip(NAMES, statuses, strict=True)
        ),
        deadline=None,
        announced_at=AS_OF,
        as_of=AS_OF,
    )


def placing(rank: int, ref: AgencyRef, total: str, **kwargs: object) -> RankedAgency:
    value = Decimal(total)
    return RankedAgency(
        rank=rank,
        shared=bool(kwargs.get("shared", False)),
        agency=ref,
        totals=SheetTotals({}, value, Decimal(0), Decimal(0), Decimal(0), value),
        eligible=bool(kwargs.get("eligible", True)),
        ineligible_reason=None,
        decided_by=None,
        late=bool(kwargs.get("late", False)),
    )


def standings_view() -> StandingsView:
    """tnmt leads with 95,5; xd and nhnn share the second place; thue is not eligible."""
    placings = (
        placing(1, NAMES[0], "95.5"),
        placing(2, NAMES[1], "90", shared=True),
        placing(2, NAMES[2], "90", shared=True, late=True),
        placing(4, NAMES[3], "88.25", eligible=False),
    )
    awards = (
        AwardLine("Cờ thi đua của Chính phủ", 1, (TNMT,), None, ()),
        AwardLine("Bằng khen của Thủ tướng", 2, (NAMES[1], NAMES[2]), None, ()),
    )
    return StandingsView(progress_view(), True, placings, TNMT, awards, (NAMES[4],))


def glyphs_missing(texts: list[str]) -> set[str]:
    cmap = TTFont(font_file()).getBestCmap()
    bold = TTFont(font_file(bold=True)).getBestCmap()
    return {
        c
        for text in texts
        for c in text
        if not c.isspace() and (ord(c) not in cmap or ord(c) not in bold)
    }


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_font_has_every_vietnamese_letter() -> None:
    with use_locale("vi"):
        picture = ranking_picture(standings_view())
    texts = list(texts_of(picture))
    assert any("Sở Tài nguyên và Môi trường" in text for text in texts)
    assert "ằ" in "".join(texts) and "ở" in "".join(texts)
    assert not glyphs_missing(texts)


def test_the_ranking_renders_without_a_missing_glyph() -> None:
    with use_locale("vi"):
        picture = ranking_picture(standings_view())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font"
        data = draw(picture)
    width, height = png_size(data)
    assert 800 <= width <= 1400 and 300 <= height <= 1400
    image = Image.open(io.BytesIO(data))
    image.verify()


def test_the_ranking_marks_ties_the_leader_the_awards_and_the_ineligible() -> None:
    with use_locale("vi"):
        picture = ranking_picture(standings_view())
    labels = [bar.label.replace("\n", " ") for bar in picture.bars]
    assert labels[0] == "1. Sở Tài nguyên và Môi trường"
    assert labels[1].startswith("2= ") and labels[2].startswith("2= ")
    assert picture.bars[0].colour == LEADER and picture.bars[0].bold
    assert picture.bars[0].note == "95,5"  # Vietnamese decimal comma
    assert picture.bars[3].note.startswith("88,25") and picture.bars[3].hatch
    assert [after for after, _title in picture.lines] == [0, 2]
    assert picture.title.endswith("2025: Khối thi đua các cơ quan Trung ương")
    assert "Cục Dự trữ" in picture.footer


def test_long_names_are_wrapped() -> None:
    name = NAMES[2].name
    lines = wrapped(name).splitlines()
    assert len(lines) == 2 and all(len(line) <= 34 for line in lines)
    assert " ".join(lines) == name


def test_the_progress_picture() -> None:
    with use_locale("en"):
        picture = progress_picture(progress_view())
    assert picture.title.startswith("Self-score sheets of")
    assert [bar.note for bar in picture.bars] == ["17/17"] * 4 + ["0/17"]
    assert [label for label, _c, _h in picture.legend] == [
        "Submitted: 4",
        "Still drafting: 0",
        "Not started: 1",
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert png_size(draw(picture))[0] > 800


def test_start_up_does_not_import_matplotlib() -> None:
    code = "import sys, bot.handlers, bot.app; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
