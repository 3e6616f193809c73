"""The rest of the year, shared by the Telegram and the Zalo story (test_year_*.py).

The sample bloc, cut to six agencies, with the rules of the year: the head reviews the
sheets, I.1 needs evidence, a late sheet loses 5 points, no time to object to the provisional
results, a ballot counts when more than half the members voted, and no tie-break rule, so that
two agencies with the same total share their place.

The sheets (79 + I.1, see ``sheet_lines``): Cục Thuế has the highest total (104) but is marked
ineligible; Kho bạc and Bảo hiểm xã hội tie at 101 for the flag; Thống kê (100) is reviewed
down to 97; Quản lý thị trường (103) submits late and loses 5 (98); the head's own NHNN has 99.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from bot.app import App
from bot.blocfile import parse_bloc
from bot.storage.models import Agency, Season, SeasonMember
from bot.testing.process import ROOT
from tests.unit.blocfile_cases import dump, sample_data

BLOC = "tw-thaibinh"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCIES = ["nhnn", "thongke", "khobac", "thue", "bhxh", "qltt"]  # nhnn heads the bloc
FIRST = {"thue": 25, "khobac": 22, "bhxh": 22, "thongke": 21, "nhnn": 20, "qltt": 24}
ON_TIME = ["nhnn", "thongke", "khobac", "thue", "bhxh"]  # qltt misses the deadline
REST = [
    "I.2 9,5", "I.3 5", "II.1 8", "II.2 7", "III.1 10", "IV.1 có", "IV.2 5", "V.1 5",
    "V.2 4.5", "VI.1 5", "VI.2 5", "VII.1 5", "B.1 5", "B.2 3", "D.1 0", "D.2 0",
]  # fmt: skip
# The head's review of Thống kê's sheet: two changes, each with its reason.
REASON_I1 = "Chỉ tiêu thu ngân sách chưa đạt kế hoạch"
REASON_II1 = "Còn 2 thủ tục hành chính giải quyết quá hạn"
REVIEW = f"I.1 19 {REASON_I1}\nII.1 7 {REASON_II1}"
INELIGIBLE = "Có cán bộ lãnh đạo bị kỷ luật trong năm"
OPERATOR_TELEGRAM = 9001
OPERATOR_ZALO = "99aa0perat0r0000zalo"

NAMES = {
    "thongke": "Cục Thống kê Thái Bình",
    "khobac": "Kho bạc Nhà nước Thái Bình",
    "thue": "Cục Thuế tỉnh Thái Bình",
    "nhnn": "Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Thái Bình",
    "bhxh": "Bảo hiểm xã hội tỉnh Thái Bình",
    "qltt": "Cục Quản lý thị trường tỉnh Thái Bình",
}


def sheet_lines(code: str) -> str:
    """The agency's whole sheet as lines; its total is 79 + its I.1."""
    return "\n".join([f"I.1 {FIRST[code]}", *REST])


def the_year(data: dict[str, Any]) -> None:
    """The bloc file of this story (see the module)."""
    data["agencies"] = [a for a in data["agencies"] if a["code"] in AGENCIES]
    data["bloc"]["quiet_hours"] = False  # the story runs at any hour of the real clock
    season = data["season"]
    season["deadlines"][0]["remind"] = []  # no reminder crosses the conversation
    season["scoring"]["tie_break"] = []  # equal totals share their place
    season["review"] = "head"
    season["evidence"] = {"required": ["I.1"]}
    season["late"] = {"deduction": 5}
    season["results"] = {"objection_days": 0}
    season["ballot"] = {"quorum": 0.5}


async def deadline_passes(app: App) -> None:
    """The scoring deadline passes. The child runs on the real clock and the story cannot wait
    days, so the operator imports the bloc file again with the deadline two minutes ago (as
    ``blocbot bloc import`` does); the running bot reads the moved deadline at once."""
    data = sample_data()
    the_year(data)
    due = datetime.now(ZONE) - timedelta(minutes=2)
    data["season"]["deadlines"][0]["due"] = due.strftime("%Y-%m-%d %H:%M")
    await app.blocs.import_bloc(parse_bloc(dump(data)))


async def head_of(app: App, year: int) -> str | None:
    """The agency code the season of ``year`` has as its head, read from the database."""
    async with app.uow() as uow:
        found = await uow.session.execute(
            select(Agency.code)
            .join(SeasonMember, SeasonMember.agency_id == Agency.id)
            .join(Season, Season.id == SeasonMember.season_id)
            .where(Season.year == year, SeasonMember.role == "head")
        )
        return found.scalar_one_or_none()


async def edit_by_hand(app: App, reason: str) -> tuple[int, int]:
    """Someone with database access rewrites the reviewed value of the entry with this
    reason; its place in the chain and its id."""
    async with app.uow() as uow:
        row = (
            await uow.session.execute(
                text("SELECT seq, id FROM audit_log WHERE reason = :reason ORDER BY seq"),
                {"reason": reason},
            )
        ).first()
        assert row is not None, f"no audit entry with the reason {reason!r}"
        await uow.session.execute(
            text("UPDATE audit_log SET new_value = '21' WHERE id = :id"), {"id": row.id}
        )
        await uow.commit()
    return int(row.seq), int(row.id)


async def audit_verify(env: Mapping[str, str]) -> tuple[int, str]:
    """``blocbot audit verify tw-thaibinh`` on the story's database: exit status, output."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "audit",
        "verify",
        BLOC,
        cwd=ROOT,
        env=dict(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(child.communicate(), 30)
    assert child.returncode is not None
    return child.returncode, output.decode()
