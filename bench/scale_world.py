"""The world of the scale run: a thousand bloc files in the sample's shape, their import in
one process, a contact per agency and a group per bloc, and the wave that makes one reminder
offset due in every bloc at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import insert, select, update

from bot.app import build
from bot.clock import SystemClock
from bot.config import Settings
from bot.storage.models import (
    Agency,
    Bloc,
    CalendarDue,
    Contact,
    Event,
    GroupLink,
    Membership,
    ScheduleMark,
)
from bot.storage.models_schedule import LOOK_AGAIN
from bot.testing.process import ROOT

AGENCIES = 12
FIRST_USER = 20_000_000
FIRST_GROUP = -1_009_000_000_000
SAMPLE = ROOT / "examples" / "tw-thaibinh.yaml"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def settings(url: str) -> Settings:
    return Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]


def bloc_file(number: int, sample: dict[str, object]) -> str:
    """Bloc ``number`` in the sample's shape: its table, 12 agencies, a deadline two months
    ahead with the usual reminders, no quiet hours (the bench runs at any hour)."""
    data = yaml.safe_load(yaml.safe_dump(sample))  # a deep copy
    year = datetime.now(ZONE).year
    due = (datetime.now(ZONE) + timedelta(days=60)).strftime("%Y-%m-%d 17:00")
    meeting = (datetime.now(ZONE) + timedelta(days=90)).strftime("%Y-%m-%d 14:00")
    data["bloc"] = {
        "code": f"khoi-{number:04d}",
        "name": f"Khối thi đua số {number}",
        "timezone": "Asia/Ho_Chi_Minh",
        "locale": "vi",
        "quiet_hours": False,
    }
    data["agencies"] = [
        {"code": f"dv{n:02d}", "name": f"Đơn vị {n} của khối {number}"}
        for n in range(1, AGENCIES + 1)
    ]
    season = data["season"]
    season.update(year=year, head="dv01", deputies=["dv02"])
    season["deadlines"] = [
        {
            "code": "self-score",
            "title": "Gửi bảng tự chấm điểm về Trưởng khối",
            "due": due,
            "remind": ["7d", "3d", "1d", "2h"],
            "closes_scoring": True,
        }
    ]
    season["meetings"] = [
        {"code": "tong-ket", "title": "Hội nghị tổng kết", "at": meeting, "remind": ["3d"]}
    ]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_blocs(folder: Path, count: int) -> None:
    sample = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        (folder / f"khoi-{number:04d}.yaml").write_text(
            bloc_file(number, sample), encoding="utf-8"
        )


def import_blocs(folder: Path, url: str) -> float:
    """`blocbot bloc import FOLDER` in one process; its seconds, start-up included."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOCBOT_")}
    env.update(BLOCBOT_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bloc", "import", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"the import failed:\n{done.stderr[-2000:]}")
    return seconds


def user_of(bloc_number: int, agency: int) -> int:
    """The Telegram id of the contact of agency ``agency`` (0-based) of bloc ``bloc_number``."""
    return FIRST_USER + (bloc_number - 1) * AGENCIES + agency


async def seed(url: str) -> None:
    """One contact per agency and a group per bloc, straight into the database; the week's
    digest marked sent (it would make a wave of its own on a Monday); bloc 1's first eight
    agencies have submitted, so its /standings ranks them."""
    app = build(settings(url), SystemClock())
    now = datetime.now(UTC)
    try:
        async with app.uow() as uow:
            session = uow.session
            blocs = {code: id for id, code in await session.execute(select(Bloc.id, Bloc.code))}
            number_of = {id: int(code.split("-")[1]) for code, id in blocs.items()}
            agencies = (
                await session.execute(select(Agency.id, Agency.bloc_id, Agency.position))
            ).all()
            contacts = [
                {
                    "platform": "telegram",
                    "user_id": str(user_of(number_of[bloc_id], position)),
                    "display_name": f"Cán bộ {position + 1}",
                    "language": "vi",
                    "created_at": now,
                }
                for _id, bloc_id, position in agencies
            ]
            await session.execute(insert(Contact), contacts)
            ids = dict((await session.execute(select(Contact.user_id, Contact.id))).all())
            await session.execute(
                insert(Membership),
                [
                    {
                        "contact_id": ids[str(user_of(number_of[bloc_id], position))],
                        "bloc_id": bloc_id,
                        "agency_id": agency_id,
                        "role": "contact",
                        "linked_at": now,
                    }
                    for agency_id, bloc_id, position in agencies
                ],
            )
            await session.execute(
                insert(GroupLink),
                [
                    {
                        "bloc_id": id,
                        "platform": "telegram",
                        "chat_id": str(FIRST_GROUP - number),
                        "title": f"Nhóm khối {number}",
                        "linked_at": now,
                    }
                    for id, number in number_of.items()
                ],
            )
            year, week, _day = now.astimezone(ZONE).isocalendar()
            await session.execute(
                insert(ScheduleMark),
                [{"key": f"digest:{id}:{year}-W{week:02d}", "at": now} for id in blocs.values()],
            )
            await uow.commit()
        first = blocs["khoi-0001"]
        async with app.uow() as uow:
            found = await uow.blocs.with_agencies(first)
            assert found is not None
            agency_ids = [agency.id for agency in found.agencies]
        scoring = app.services.scoring
        for position, agency_id in enumerate(agency_ids[:8]):
            contact = ids[str(user_of(1, position))]
            sheet = await scoring.sheet(first, agency_id)
            answers = [
                (c.code, Decimal(0 if c.is_yesno else position % 3))
                for c in sheet.table.criteria()
            ]
            await scoring.answer(first, agency_id, contact, answers)
            await scoring.submit(first, agency_id, contact)
        await app.refresh_statistics()  # the contacts written here, as after an import
    finally:
        await app.close()


async def start_wave(url: str, now: datetime | None = None) -> datetime:
    """Move every bloc's deadline so that its 7-day reminder is due ``now`` (and none of its
    other reminders), and tell the job, as if every head had moved it at once."""
    now = now or datetime.now(UTC)
    app = build(settings(url), SystemClock())
    try:
        async with app.uow() as uow:
            at = now + timedelta(days=7) - timedelta(seconds=1)
            await uow.session.execute(
                update(Event).where(Event.code == "self-score").values(at=at)
            )
            await uow.session.execute(update(CalendarDue).values(due_at=LOOK_AGAIN))
            await uow.commit()
    finally:
        await app.close()
    return now
