"""Reminders through the outbox: the right people, once, at the right time, never late."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from bot.blocfile import DEADLINE_REMIND, EventKind, load_bloc_file
from bot.clock import FrozenClock
from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.pacing import Limits
from bot.scheduler.sending import Delivery, DeliveryResult, Parcel, PartRecorder, SenderMap
from bot.services.events import EventRefused
from bot.services.reminders import NudgeRefused
from bot.storage.models import (
    Contact,
    Event,
    GroupLink,
    Membership,
    OutboxMessage,
    ScheduleMark,
    Season,
)
from tests.conftest import SAMPLE

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = "2021-11-20 17:00"
MEETING = "2021-12-20 14:00"
PLACE = "Hội trường Ngân hàng Nhà nước chi nhánh tỉnh Thái Bình"
# user id -> (platform, agency, language); nhnn is the head, thue and nhnn have submitted.
PEOPLE = {
    "hoa": ("telegram", "nhnn", "en"),
    "lan": ("telegram", "thue", "vi"),
    "tu": ("telegram", "khobac", "en"),
    "tu-zalo": ("zalo", "khobac", None),
    "minh": ("telegram", "thongke", "en"),
}
LATE_PEOPLE = {"tu", "tu-zalo", "minh"}
GROUP = ("telegram", "-100")


def local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


class Reminders:
    """The reminders as the job and the head use them: a tick, a nudge."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def tick(self) -> int:
        return await self.app.remind()

    async def nudge(self, *args: Any, **kwargs: Any) -> Any:
        return await self.app.services.reminders.nudge(*args, **kwargs)


@dataclass
class Bloc:
    app: App
    clock: FrozenClock
    bloc_id: int
    events: dict[str, int]  # event code -> id
    service: Reminders

    async def tick(self, at: str | None = None) -> list[OutboxMessage]:
        """Move the clock to ``at`` (local), tick, and return the rows added."""
        if at is not None:
            self.clock.set(local(at))
        before = {row.id for row in await self.rows()}
        await self.service.tick()
        return [row for row in await self.rows() if row.id not in before]

    async def rows(self) -> list[OutboxMessage]:
        async with self.app.uow() as uow:
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            rows = list((await uow.session.scalars(query)).all())
            uow.session.expunge_all()  # readable after the session ends
            return rows


def recipients(rows: list[OutboxMessage]) -> set[str]:
    """``@-100`` for a group, the user id for a direct message."""
    return {f"@{r.chat_id}" if r.chat_kind == "group" else r.chat_id for r in rows}


def keyed(rows: list[OutboxMessage], prefix: str) -> list[OutboxMessage]:
    return [row for row in rows if (row.dedupe_key or "").startswith(prefix)]


@pytest.fixture
async def bloc(app: App, clock: FrozenClock) -> Bloc:
    """The sample bloc, five contacts, a group; nhnn and thue submitted, khobac drafts."""
    await app.blocs.import_bloc(load_bloc_file(SAMPLE))
    now = clock.now()
    async with app.uow() as uow:
        found = await uow.blocs.get("tw-thaibinh")
        season = await uow.seasons.latest(found.id) if found else None
        assert found is not None and season is not None
        agencies = {agency.code: agency.id for agency in found.agencies}
        contacts = {}
        for user, (platform, agency, language) in PEOPLE.items():
            contact = Contact(platform=platform, user_id=user, language=language, created_at=now)
            uow.contacts.add(contact)
            await uow.session.flush()
            uow.contacts.link(
                Membership(
                    contact_id=contact.id,
                    bloc_id=found.id,
                    agency_id=agencies[agency],
                    linked_at=now,
                )
            )
            contacts[user] = contact.id
        uow.groups.add(
            GroupLink(bloc_id=found.id, platform=GROUP[0], chat_id=GROUP[1], linked_at=now)
        )
        events = {event.code: event.id for event in season.events}
        bloc_id = found.id
        await uow.commit()
    scoring = app.services.scoring
    for agency, user in (("nhnn", "hoa"), ("thue", "lan"), ("khobac", "tu")):
        sheet = await scoring.sheet(bloc_id, agencies[agency])
        codes = [c.code for c in sheet.table.criteria()]
        if agency == "khobac":
            codes = codes[:5]  # a draft: 5 of 17 criteria
        answers = [(code, Decimal(0)) for code in codes]
        await scoring.answer(bloc_id, agencies[agency], contacts[user], answers)
        if agency != "khobac":
            await scoring.submit(bloc_id, agencies[agency], contacts[user])
    return Bloc(app, clock, bloc_id, events, Reminders(app))


async def test_deadline_reminders_at_every_offset_reach_only_late_agencies(bloc: Bloc) -> None:
    deadline = local(DEADLINE)
    assert await bloc.tick("2021-11-13 16:59") == []
    for offset, moment in (
        (timedelta(days=7), "2021-11-13 17:00"),
        (timedelta(days=3), "2021-11-17 17:00"),
        (timedelta(days=1), "2021-11-19 17:00"),
        (timedelta(hours=2), "2021-11-20 15:00"),
    ):
        rows = await bloc.tick(moment)

        key = f"remind:{bloc.events['self-score']}:v1:{int(offset.total_seconds())}"
        assert recipients(rows) == LATE_PEOPLE | {"@-100"}, moment
        assert all(row.dedupe_key and row.dedupe_key.startswith(key) for row in rows)
        assert all(row.not_after == deadline for row in rows)
        assert all(row.event_id == bloc.events["self-score"] for row in rows)
        assert all(row.bloc_id == bloc.bloc_id and row.due_at == bloc.clock.now() for row in rows)
        assert await bloc.tick() == []  # once
    rows = await bloc.rows()
    zalo = next(row for row in rows if row.chat_id == "tu-zalo")
    assert zalo.platform == "zalo" and zalo.contact_id is not None


async def test_what_a_deadline_reminder_says(bloc: Bloc) -> None:
    rows = await bloc.tick("2021-11-17 17:00")

    to_tu = next(row for row in rows if row.chat_id == "tu").text
    to_minh = next(row for row in rows if row.chat_id == "minh").text
    post = next(row for row in rows if row.chat_kind == "group").text
    assert "20/11/2021 17:00" in to_tu and "3 days left" in to_tu
    assert "12 criteria to score (of 17)" in to_tu and "/score" in to_tu
    assert "has not scored any criterion yet (0/17)" in to_minh
    # the group reads the bloc's language, Vietnamese
    assert "20/11/2021 17:00" in post and "/score" in post and "2/8" in post
    assert "Kho bạc Nhà nước Thái Bình" in post and "Cục Thuế" not in post


async def test_direct_messages_and_group_posts_keep_the_blocs_quiet_time(bloc: Bloc) -> None:
    rows = await bloc.tick("2021-11-13 17:00")

    for row in rows:
        assert row.quiet and row.timezone == "Asia/Ho_Chi_Minh"
        assert row.payload["quiet"] == {"hours": "21:00-07:00", "days": [], "holidays": []}
        assert row.payload["before_event"] is True  # late at night rather than after it
        assert (row.contact_id is not None) is (row.chat_kind == "private")


async def test_a_reminder_fires_once_across_processes(bloc: Bloc) -> None:
    other = Reminders(bloc.app)
    bloc.clock.set(local("2021-11-13 17:00"))

    counts = await asyncio.gather(bloc.service.tick(), other.tick(), bloc.service.tick())

    # the Zalo contact gets the group's post directly: the bloc has no group on Zalo
    assert sorted(counts) == [0, 0, 5]
    assert len(await bloc.rows()) == 5


async def test_downtime_across_offsets_sends_only_the_latest(bloc: Bloc) -> None:
    rows = await bloc.tick("2021-11-19 18:30")  # 7d, 3d and 1d all passed while down

    assert {row.dedupe_key.split(":")[3] for row in rows if row.dedupe_key} == {"86400"}
    assert recipients(rows) == LATE_PEOPLE | {"@-100"}
    async with bloc.app.uow() as uow:
        marks = set((await uow.session.scalars(select(ScheduleMark.key))).all())
    event = bloc.events["self-score"]
    assert {f"remind:{event}:v1:{s}" for s in (604800, 259200, 86400)} <= marks
    assert await bloc.tick("2021-11-19 19:00") == []
    later = await bloc.tick("2021-11-20 15:00")
    assert {row.dedupe_key.split(":")[3] for row in later if row.dedupe_key} == {"7200"}


async def test_nothing_is_reminded_once_the_event_has_passed(bloc: Bloc) -> None:
    rows = await bloc.tick("2021-11-20 17:00")
    assert keyed(rows, "remind:") == []

    rows = await bloc.tick("2021-12-20 14:00")
    assert rows == []


async def test_the_head_gets_the_missing_sheets_after_the_deadline(bloc: Bloc) -> None:
    await bloc.tick("2021-11-20 15:00")

    rows = await bloc.tick("2021-11-20 17:00")

    assert recipients(rows) == {"hoa"}
    (row,) = rows
    assert row.dedupe_key == f"missing:{bloc.events['self-score']}:v1:telegram:hoa"
    assert row.quiet and row.contact_id is not None
    assert "6 agencies have not submitted" in row.text
    assert "Kho bạc Nhà nước Thái Bình — 5/17 criteria" in row.text
    assert "Cục Thống kê Thái Bình — not started" in row.text
    assert "Cục Thuế" not in row.text
    assert await bloc.tick("2021-11-21 09:00") == []


async def test_the_weekly_digest_goes_out_on_monday_morning_once(bloc: Bloc) -> None:
    assert keyed(await bloc.tick("2021-11-15 07:59"), "digest:") == []

    rows = keyed(await bloc.tick("2021-11-15 08:00"), "digest:")

    assert recipients(rows) == {"@-100", "tu-zalo"}  # no group on Zalo: to the contact
    row, direct = rows
    assert row.dedupe_key == f"digest:{bloc.bloc_id}:2021-W46:telegram:-100"
    assert direct.dedupe_key == f"digest:{bloc.bloc_id}:2021-W46:post:zalo:tu-zalo"
    assert row.not_after == local("2021-11-15 23:59")
    assert "Kho bạc Nhà nước Thái Bình" in row.text
    assert keyed(await bloc.tick("2021-11-15 12:00"), "digest:") == []

    events = bloc.app.services.events
    await events.move(bloc.bloc_id, bloc.events["self-score"], local("2021-12-10 17:00"))
    # down over Monday 22: no digest on Wednesday
    assert keyed(await bloc.tick("2021-11-24 09:00"), "digest:") == []
    rows = keyed(await bloc.tick("2021-11-29 08:05"), "digest:")
    assert [row.dedupe_key for row in rows] == [
        f"digest:{bloc.bloc_id}:2021-W48:telegram:-100",
        f"digest:{bloc.bloc_id}:2021-W48:post:zalo:tu-zalo",
    ]


async def test_no_digest_once_scoring_has_closed(bloc: Bloc) -> None:
    assert keyed(await bloc.tick("2021-11-22 08:00"), "digest:") == []


async def test_meeting_reminders_reach_everyone(bloc: Bloc) -> None:
    rows = await bloc.tick("2021-12-17 14:00")

    assert recipients(rows) == set(PEOPLE) | {"@-100"}
    assert all(row.event_id == bloc.events["tong-ket"] for row in rows)
    assert all(row.not_after == local(MEETING) for row in rows)
    to_hoa = next(row for row in rows if row.chat_id == "hoa").text
    assert "20/12/2021 14:00" in to_hoa and "3 days from now" in to_hoa and PLACE in to_hoa
    assert recipients(await bloc.tick("2021-12-19 14:00")) == set(PEOPLE) | {"@-100"}
    assert recipients(await bloc.tick("2021-12-20 12:00")) == set(PEOPLE) | {"@-100"}
    assert await bloc.tick("2021-12-20 13:59") == []


async def test_moving_an_event_cancels_its_pending_reminders_and_reminds_again(
    bloc: Bloc,
) -> None:
    first = await bloc.tick("2021-11-13 17:00")
    events = bloc.app.services.events

    change = await events.move(bloc.bloc_id, bloc.events["self-score"], local("2021-11-27 17:00"))

    rows = await bloc.rows()
    assert {row.status for row in rows if row.id in {r.id for r in first}} == {"cancelled"}
    moved, direct = rows[-2:]
    assert moved.chat_kind == "group" and moved.status == "pending"
    assert direct.chat_id == "tu-zalo" and direct.text == moved.text
    assert "được dời từ 20/11/2021 17:00 sang 27/11/2021 17:00" in moved.text  # bloc: vi
    assert change.event.version == 2 and change.previous_at == local(DEADLINE)
    assert await bloc.tick() == []  # 7 days before the new time is not yet
    rows = await bloc.tick("2021-11-20 17:00")
    assert keyed(rows, "missing:") == []  # the deadline is later now
    again = keyed(rows, f"remind:{bloc.events['self-score']}:v2:604800")
    assert recipients(again) == LATE_PEOPLE | {"@-100"} and len(again) == len(rows)
    assert await bloc.tick("2021-11-20 17:01") == []


async def test_moving_bumps_the_season_so_scoring_sees_the_new_deadline(bloc: Bloc) -> None:
    async with bloc.app.uow() as uow:
        before = (await uow.session.scalars(select(Season.version))).one()
    events = bloc.app.services.events

    await events.move(bloc.bloc_id, bloc.events["self-score"], local("2021-11-27 17:00"))

    async with bloc.app.uow() as uow:
        assert (await uow.session.scalars(select(Season.version))).one() == before + 1
    agency = await _agency(bloc, "thongke")
    sheet = await bloc.app.services.scoring.sheet(bloc.bloc_id, agency)
    assert sheet.deadline == local("2021-11-27 17:00")


async def test_cancelling_an_event_stops_its_reminders(bloc: Bloc) -> None:
    first = await bloc.tick("2021-12-17 14:00")
    events = bloc.app.services.events

    await events.cancel(bloc.bloc_id, bloc.events["tong-ket"])

    rows = await bloc.rows()
    assert {row.status for row in rows if row.id in {r.id for r in first}} == {"cancelled"}
    assert "Đã hủy hội nghị “Hội nghị tổng kết" in rows[-2].text  # bloc: vi
    assert rows[-2].chat_kind == "group" and rows[-2].quiet
    assert rows[-1].chat_id == "tu-zalo" and rows[-1].quiet
    assert await bloc.tick("2021-12-19 14:00") == []
    assert [e.code for e in (await events.calendar(bloc.bloc_id)).upcoming()] == []
    with pytest.raises(EventRefused):
        await events.cancel(bloc.bloc_id, bloc.events["tong-ket"])


async def test_an_event_created_in_chat_reminds_with_the_default_offsets(bloc: Bloc) -> None:
    events = bloc.app.services.events
    contact = await _contact(bloc, "hoa")

    change = await events.create(
        bloc.bloc_id,
        contact,
        EventKind.MEETING,
        "Sơ kết",
        local("2021-11-30 09:00"),
        "Phòng họp",
    )

    assert change.posts == 2 and change.event.source == "chat"  # the group, the Zalo contact
    assert change.event.remind == (timedelta(days=3), timedelta(days=1), timedelta(hours=2))
    assert not change.event.closes_scoring
    async with bloc.app.uow() as uow:
        row = await uow.session.get(Event, change.event.id)
        assert row is not None and row.remind == [259200, 86400, 7200]
    post = (await bloc.rows())[-2]
    assert post.chat_kind == "group" and (await bloc.rows())[-1].text == post.text
    assert (
        "Hội nghị mới: “Sơ kết”, lúc 30/11/2021 09:00." in post.text and "Phòng họp" in post.text
    )
    rows = [r for r in await bloc.tick("2021-11-27 09:00") if r.event_id == change.event.id]
    assert recipients(rows) == set(PEOPLE) | {"@-100"}
    with pytest.raises(EventRefused):
        await events.create(
            bloc.bloc_id, contact, EventKind.MEETING, "x", local("2021-11-01 9:00")
        )


async def test_a_new_deadline_closes_scoring_only_if_none_does(bloc: Bloc) -> None:
    events = bloc.app.services.events
    contact = await _contact(bloc, "hoa")

    other = await events.create(
        bloc.bloc_id, contact, EventKind.DEADLINE, "Báo cáo", local("2021-11-25 17:00")
    )
    await events.cancel(bloc.bloc_id, bloc.events["self-score"])
    closing = await events.create(
        bloc.bloc_id, contact, EventKind.DEADLINE, "Tự chấm", local("2021-11-26 17:00")
    )

    assert not other.event.closes_scoring and closing.event.closes_scoring
    assert other.event.remind == DEADLINE_REMIND
    calendar = await events.calendar(bloc.bloc_id)
    assert calendar.scoring_deadline == closing.event


async def test_nudge_sends_now_and_says_what(bloc: Bloc) -> None:
    contact = await _contact(bloc, "hoa")
    bloc.clock.set(local("2021-11-16 10:00"))

    nudge = await bloc.service.nudge(bloc.bloc_id, contact)

    assert len(nudge.agencies) == 6 and nudge.people == 3 and nudge.groups == 1
    assert not nudge.waiting and not nudge.repeated and nudge.unreachable == 0
    assert "Cục Dự trữ Nhà nước khu vực Thái Bình" in nudge.without_contact
    rows = await bloc.rows()
    assert recipients(rows) == LATE_PEOPLE | {"@-100"}
    assert all(row.quiet for row in rows if row.chat_kind == "private")
    assert all(row.due_at == bloc.clock.now() for row in rows)
    again = await bloc.service.nudge(bloc.bloc_id, contact)
    assert again.repeated and len(await bloc.rows()) == 5  # and the group's post on Zalo
    bloc.clock.advance(timedelta(minutes=1))
    assert not (await bloc.service.nudge(bloc.bloc_id, contact)).repeated
    assert len(await bloc.rows()) == 10


async def test_nudge_at_night_waits_and_skips_unreachable_people(bloc: Bloc) -> None:
    async with bloc.app.uow() as uow:
        contact = await uow.contacts.get("telegram", "minh")
        assert contact is not None
        contact.unreachable_at = bloc.clock.now()
        await uow.commit()
    bloc.clock.set(local("2021-11-16 22:00"))

    nudge = await bloc.service.nudge(bloc.bloc_id, await _contact(bloc, "hoa"), skip=GROUP)

    assert nudge.waiting and nudge.people == 2 and nudge.unreachable == 1 and nudge.groups == 0
    assert nudge.waits_until == local("2021-11-17 07:00")


async def test_nudge_is_refused_after_the_deadline(bloc: Bloc) -> None:
    bloc.clock.set(local("2021-11-21 10:00"))

    with pytest.raises(NudgeRefused):
        await bloc.service.nudge(bloc.bloc_id, await _contact(bloc, "hoa"))


async def _contact(bloc: Bloc, user: str) -> int:
    async with bloc.app.uow() as uow:
        contact = await uow.contacts.get(PEOPLE[user][0], user)
        assert contact is not None
        return contact.id


async def _agency(bloc: Bloc, code: str) -> int:
    async with bloc.app.uow() as uow:
        found = await uow.blocs.get("tw-thaibinh")
        assert found is not None
        return next(agency.id for agency in found.agencies if agency.code == code)


class _Sender:
    """Records what the dispatcher sends, and when."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.sent: list[tuple[datetime, str, str]] = []  # (at, chat, text)

    async def deliver(self, parcel: Parcel, part_sent: PartRecorder) -> DeliveryResult:
        self.sent.append((self.clock.now(), parcel.chat_id, parcel.text))
        return DeliveryResult(Delivery.SENT)


def _dispatcher(bloc: Bloc) -> tuple[Dispatcher, _Sender]:
    sender = _Sender(bloc.clock)
    limits = {name: Limits(rate=0) for name in ("telegram", "zalo")}
    senders = SenderMap({"telegram": sender, "zalo": sender})
    return Dispatcher(bloc.app.uow, bloc.clock, senders, limits, worker_id="t"), sender


async def _settings(bloc: Bloc, **values: Any) -> None:
    async with bloc.app.uow() as uow:
        found = await uow.blocs.get("tw-thaibinh")
        assert found is not None
        for name, value in values.items():
            setattr(found, name, value)
        await uow.commit()


async def test_a_reminder_held_overnight_says_the_time_left_when_it_is_sent(bloc: Bloc) -> None:
    events = bloc.app.services.events
    await events.move(bloc.bloc_id, bloc.events["self-score"], local("2021-11-27 22:00"))
    dispatcher, sender = _dispatcher(bloc)
    await dispatcher.run_once()  # the group hears of the move
    sender.sent.clear()
    queued = await bloc.tick("2021-11-26 22:00")  # 1 day before, in the quiet night
    to_tu = next(row for row in queued if row.chat_id == "tu")
    assert "(1 day left)" in to_tu.text

    await dispatcher.run_once()
    assert sender.sent == []  # the night: nothing goes, group posts neither
    bloc.clock.set(local("2021-11-27 07:00"))
    await dispatcher.run_once()

    sent = {chat: text for _at, chat, text in sender.sent}
    assert "due 27/11/2021 22:00 (15 hours left)" in sent["tu"]
    assert "hạn 27/11/2021 22:00 (còn 15 giờ)" in sent["-100"]  # the group: Vietnamese
    assert {at for at, _chat, _text in sender.sent} == {local("2021-11-27 07:00")}


async def test_a_seven_day_reminder_after_the_night_says_seven_days(bloc: Bloc) -> None:
    events = bloc.app.services.events
    await events.move(bloc.bloc_id, bloc.events["self-score"], local("2021-11-27 22:00"))
    dispatcher, sender = _dispatcher(bloc)
    await dispatcher.run_once()  # the group hears of the move
    sender.sent.clear()
    await bloc.tick("2021-11-20 22:00")
    await dispatcher.run_once()
    bloc.clock.set(local("2021-11-21 07:00"))
    await dispatcher.run_once()

    post = next(text for _at, chat, text in sender.sent if chat == "-100")
    assert post.startswith(
        "Nhắc việc: “Gửi bảng tự chấm điểm về Trưởng khối”, hạn 27/11/2021 22:00 (còn 7 ngày)."
    )


async def test_weekends_and_holidays_are_quiet_when_the_bloc_says_so(bloc: Bloc) -> None:
    await _settings(bloc, quiet_days=["sat", "sun"], holidays=["2021-11-15"])
    dispatcher, sender = _dispatcher(bloc)
    rows = await bloc.tick("2021-11-13 17:00")  # a Saturday: the 7-day reminders
    assert rows and all(row.payload["quiet"]["days"] == ["sat", "sun"] for row in rows)

    for moment in ("2021-11-13 17:00", "2021-11-14 12:00", "2021-11-15 10:00"):
        bloc.clock.set(local(moment))
        await dispatcher.run_once()
        assert sender.sent == [], moment
    bloc.clock.set(local("2021-11-16 07:00"))  # Tuesday, after the Monday holiday
    await dispatcher.run_once()

    assert {chat for _at, chat, _text in sender.sent} == {"tu", "tu-zalo", "minh", "-100"}
    assert "(4 days left)" in next(text for _at, chat, text in sender.sent if chat == "tu")


async def test_without_an_allowed_moment_before_the_event_the_reminder_goes_at_once(
    bloc: Bloc,
) -> None:
    events = bloc.app.services.events
    contact = await _contact(bloc, "hoa")
    change = await events.create(
        bloc.bloc_id,
        contact,
        EventKind.MEETING,
        "Họp sớm",
        local("2021-11-12 06:30"),
        remind_offsets=[timedelta(hours=2)],
    )
    dispatcher, sender = _dispatcher(bloc)
    bloc.clock.set(local("2021-11-11 20:00"))
    await dispatcher.run_once()  # the post about the new meeting goes before the night
    assert sorted(chat for _at, chat, _text in sender.sent) == ["-100", "tu-zalo"]

    rows = await bloc.tick("2021-11-12 04:30")
    assert all(row.event_id == change.event.id for row in rows)
    await dispatcher.run_once()

    assert {at for at, _chat, _text in sender.sent[2:]} == {local("2021-11-12 04:30")}
    assert "(2 hours from now)" in next(text for _at, chat, text in sender.sent if chat == "hoa")


async def test_the_short_name_opens_the_weekly_digest(bloc: Bloc) -> None:
    await _settings(bloc, short_name="Khối TW Thái Bình")

    row, _direct = keyed(await bloc.tick("2021-11-15 08:00"), "digest:")

    assert row.text.startswith("Tiến độ tuần của Khối TW Thái Bình, năm 2021:")
    assert "đóng trên địa bàn" not in row.text
