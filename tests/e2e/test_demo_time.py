"""The console demo's clock: a week of the season in a few lines, as a new user sees it."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.channels.console_input import time_target
from bot.clock import FrozenClock, OffsetClock
from bot.config import Settings
from bot.demo import demo
from tests.conftest import ROOT

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 11, 16, 9, 0, tzinfo=HANOI)  # a Monday; the deadline is 23/11 17:00


async def run_demo(tmp_path: Path, script: str) -> str:
    out = io.StringIO()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    clock = OffsetClock(FrozenClock(START))
    code = await demo(
        settings, str(tmp_path / "demo.db"), clock, source=io.StringIO(script), out=out
    )
    assert code == 0
    return out.getvalue()


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


async def test_a_week_of_reminders_in_vietnamese(tmp_path: Path) -> None:
    sheet = [
        "I.1 25",
        "I.2 9",
        "I.3 5",
        "II.1 8",
        "II.2 7",
        "III.1 10",
        "IV.1 có",
        "IV.2 5",
        "V.1 5",
        "V.2 5",
        "VI.1 5",
        "VI.2 5",
        "VII.1 5",
        "B.1 0",
        "B.2 0",
        "D.1 0",
        "D.2 0",
    ]
    script = ["/score", *sheet, "1", ":time +7d", ":time 2026-11-23 18:00"]
    transcript = await run_demo(tmp_path, "\n".join(script) + "\n")

    week = between(transcript, "› :time +7d", "› :time 2026-11-23")
    assert (
        "Nhắc việc: “Gửi bảng tự chấm điểm về Trưởng khối”, hạn 23/11/2026 17:00 (còn 7 ngày)"
        in (week)
    )
    assert "(còn 3 ngày)" in week and "(còn 1 ngày)" in week
    assert "[→ khobac]" in week and "[nhóm · " in week
    assert "[→ thue]" not in week  # thue submitted its sheet: nothing to remind it of
    assert "Tiến độ tuần của" in week  # Monday 23/11 08:00: the weekly digest in the group
    last_day = transcript[transcript.index("› :time 2026-11-23") :]
    assert "(còn 2 giờ)" in last_day
    assert "đã qua hạn" in last_day.lower() or "chưa nộp" in last_day
    assert "Bây giờ: Thứ Hai 23/11/2026 18:00" in last_day


async def test_direct_messages_wait_for_the_morning(tmp_path: Path) -> None:
    transcript = await run_demo(
        tmp_path, ":time 2026-11-16 22:00\n:as head\n/nhacnho\n:time 2026-11-17 07:30\n"
    )

    night = between(transcript, "› /nhacnho", "› :time 2026-11-17")
    morning = transcript[transcript.index("› :time 2026-11-17") :]
    assert "07:00" in night and "[→ thue]" not in night
    assert "[→ thue]" in morning and "Trưởng khối" in morning


async def test_time_takes_a_full_date_and_time_and_says_when_it_cannot(tmp_path: Path) -> None:
    script = [
        ":help",
        ":time 17/11/2026 17:00",
        ":time 2026-11-18 17h",
        ":time 2026-11-16 08:00",
        ":time soon",
    ]
    transcript = await run_demo(tmp_path, "\n".join(script) + "\n")

    help_text = between(transcript, "› :help", "› :time 17/11")
    assert ":time 17/11/2026 17:00" in help_text  # tomorrow: a moment that works now
    assert ":paste" in help_text
    assert "Bây giờ: Thứ Ba 17/11/2026 17:00" in between(
        transcript, "› :time 17/11", "› :time 2026-11-18"
    )
    assert "Bây giờ: Thứ Tư 18/11/2026 17:00" in between(
        transcript, "› :time 2026-11-18", "› :time 2026-11-16"
    )
    assert "Đồng hồ chỉ chạy tới: bây giờ đã là 18/11/2026 17:00." in between(
        transcript, "› :time 2026-11-16", "› :time soon"
    )
    assert transcript.rstrip().endswith(
        "Viết :time +3d, :time +2h30m, :time 22:00 hoặc :time 19/11/2026 17:00."
    )


def test_the_readme_s_time_forms_are_understood() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    demo_part = readme[readme.index("## Try it: the console demo") : readme.index("## Running")]
    paragraph = demo_part[demo_part.index("only moves forward") :]
    forms = re.findall(
        r"`((?:\d[\d/-]+ )?\d{1,2}(?::\d{2}|h\d{0,2}))`", paragraph.split("\n\n")[0]
    )
    now = datetime(2026, 11, 1, 9, 0, tzinfo=HANOI)

    assert len(forms) >= 6, forms
    for form in forms:
        target = time_target(form, now, "Asia/Ho_Chi_Minh")
        assert target is not None and target > now, form
