"""/deadline, /meeting (/hop) and /remind (/nhacnho), as the head and the others see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.handlers.event_text import TimeError, TimeProblem, parse_time
from bot.storage.models import OutboxMessage
from bot.testing.recording import Chat, Person, Recording

ZONE = "Asia/Ho_Chi_Minh"
TONG_KET = "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2021"
SELF_SCORE = "Gửi bảng tự chấm điểm về Trưởng khối"


@dataclass
class Bloc:
    recording: Recording
    head: Person  # nhnn
    lan: Person  # thue
    tu: Person  # khobac
    group: Chat

    async def outbox(self) -> list[OutboxMessage]:
        async with self.recording.app.uow() as uow:
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            rows = list((await uow.session.scalars(query)).all())
            uow.session.expunge_all()
            return rows

    async def submit(self, agency: str, user: str) -> None:
        app = self.recording.app
        async with app.uow() as uow:
            bloc = await uow.blocs.get("tw-thaibinh")
            contact = await uow.contacts.get("telegram", user)
            assert bloc is not None and contact is not None
            agency_id = next(a.id for a in bloc.agencies if a.code == agency)
            bloc_id, contact_id = bloc.id, contact.id
        sheet = await app.services.scoring.sheet(bloc_id, agency_id)
        answers = [(c.code, Decimal(0)) for c in sheet.table.criteria()]
        await app.services.scoring.answer(bloc_id, agency_id, contact_id, answers)
        await app.services.scoring.submit(bloc_id, agency_id, contact_id)


@pytest.fixture
async def bloc(recording: Recording) -> Bloc:
    people = {}
    for user, agency in (("hoa", "nhnn"), ("lan", "thue"), ("tu", "khobac")):
        person = recording.person(user, language="en")
        await person.say(f"/start {recording.codes[agency]}")
        people[user] = person
    group = recording.group()
    await people["hoa"].say(f"/linkgroup {recording.group_code}", group)
    return Bloc(recording, people["hoa"], people["lan"], people["tu"], group)


async def test_the_head_creates_a_meeting_step_by_step(bloc: Bloc) -> None:
    head = bloc.head

    menu = await head.say_text("/meeting")
    assert "Upcoming meetings of" in menu and f"{TONG_KET} — 20/12/2021 14:00" in menu
    assert "Send the title of the new meeting" in await head.say_text("1")
    assert "When is the meeting?" in await head.say_text("Sơ kết 6 tháng")
    assert "no such date" in await head.say_text("31/02/2022 10:00")
    assert "could not read that date" in await head.say_text("next tuesday")
    assert "already passed" in await head.say_text("01/11/2021 09:00")
    assert "Where is the meeting?" in await head.say_text("30/11 9h30")
    assert "When should I remind?" in await head.say_text("Phòng họp tầng 3")
    assert "could not read those reminders" in await head.say_text("7x")
    summary = await head.say_text("2d 3h")
    assert "New meeting: Sơ kết 6 tháng" in summary
    assert "When: 30/11/2021 09:30" in summary and "Place: Phòng họp tầng 3" in summary
    assert "Reminders: 2 days, 3 hours before." in summary

    done = "\n".join(m.text for m in await head.press("Confirm"))

    assert "Created: Sơ kết 6 tháng — 30/11/2021 09:30" in done
    assert "1 group of the bloc is told." in done
    post = (await bloc.outbox())[-1]
    assert post.chat_kind == "group" and post.chat_id == bloc.group.chat_id
    assert "Sơ kết 6 tháng" in post.text and "30/11/2021 09:30" in post.text
    upcoming = await bloc.recording.app.services.events.upcoming(post.bloc_id or 0)
    created = next(event for event in upcoming if event.title == "Sơ kết 6 tháng")
    assert created.remind == (timedelta(days=2), timedelta(hours=3))
    assert created.source == "chat" and created.place == "Phòng họp tầng 3"


async def test_a_deadline_with_the_default_reminders_and_typed_answers(bloc: Bloc) -> None:
    head = bloc.head
    menu = await head.say_text("/deadline")
    assert f"{SELF_SCORE} — 20/11/2021 17:00 (closes the self-scoring)" in menu

    await head.say("new")
    await head.say("Báo cáo sơ kết")
    asked = await head.say_text("2021-12-05 17:00")
    assert "When should I remind?" in asked and "7 days, 3 days, 1 day, 2 hours" in asked
    summary = await head.say_text("mặc định")
    assert "Due: 05/12/2021 17:00" in summary and "closes the self-scoring" not in summary
    assert "Created: Báo cáo sơ kết — 05/12/2021 17:00" in await head.say_text("yes")


async def test_the_head_moves_the_deadline(bloc: Bloc) -> None:
    head = bloc.head
    await head.say("/deadline")

    listed = "\n".join(m.text for m in await head.press("Move a deadline"))
    assert "Which deadline do you want to move?" in listed
    asked = await head.say_text("1")
    assert f"{SELF_SCORE} is on 20/11/2021 17:00" in asked
    question = await head.say_text("27/11/2021 17:00")
    assert "from 20/11/2021 17:00 to 27/11/2021 17:00?" in question
    done = "\n".join(m.text for m in await head.press("Confirm"))

    assert f"Moved: {SELF_SCORE} — 27/11/2021 17:00" in done
    post = (await bloc.outbox())[-1]
    assert post.chat_kind == "group" and "27/11/2021 17:00" in post.text
    assert "27/11/2021 17:00" in await bloc.tu.say_text("/score")  # scoring sees it at once


async def test_the_head_cancels_a_meeting_after_thinking_twice(bloc: Bloc) -> None:
    head = bloc.head
    await head.say("/hop")
    await head.press("Cancel a meeting")
    question = await head.say_text("1")
    assert f"Cancel {TONG_KET} on 20/12/2021 14:00?" in question

    kept = "\n".join(m.text for m in await head.press("Leave it"))
    assert "Nothing was changed." in kept
    assert await bloc.outbox() == []

    await head.say("/hop")
    await head.press("Cancel a meeting")
    await head.say("1")
    done = "\n".join(m.text for m in await head.press("Confirm"))
    assert f"Cancelled: {TONG_KET}" in done
    assert "đã bị hủy" in (await bloc.outbox())[-1].text  # the group speaks the bloc's language
    assert "No upcoming meeting." in await head.say_text("/meeting")


async def test_calendar_commands_are_for_the_head_in_a_direct_chat(bloc: Bloc) -> None:
    assert "Only the bloc head or an operator can use /deadline." in await bloc.lan.say_text(
        "/deadline"
    )
    assert "Only the bloc head or an operator" in await bloc.lan.say_text("/hop")
    assert "Only the bloc head, deputies or operators" in await bloc.lan.say_text("/remind")
    in_group = await bloc.head.say_text("/deadline", bloc.group)  # the group speaks Vietnamese
    assert "/deadline" in in_group and "trò chuyện riêng" in in_group
    await bloc.lan.send_payload("ev:ok")
    assert (
        bloc.recording.notices[-1] == "Only the bloc head or an operator can change the calendar."
    )
    await bloc.head.send_payload("ev:ok")
    assert bloc.recording.notices[-1] == "This button has expired."


async def test_remind_nudges_the_late_agencies_and_counts(bloc: Bloc, clock: FrozenClock) -> None:
    await bloc.submit("thue", "lan")

    text = await bloc.head.say_text("/remind")

    assert "7 agencies have not submitted" in text
    assert "Sent: 2 direct messages and 1 group post." in text
    assert "night" not in text and "Nobody is linked yet for:" in text
    rows = await bloc.outbox()
    assert {row.chat_id for row in rows} == {"hoa", "tu", bloc.group.chat_id}
    assert "sent a moment ago" in await bloc.head.say_text("/nhacnho")

    clock.set(datetime(2021, 11, 10, 22, 30, tzinfo=ZoneInfo(ZONE)))
    in_group = await bloc.head.say_text("/nhacnho", bloc.group)
    assert "2 tin nhắn riêng và 0 bài trong nhóm" in in_group  # the group speaks Vietnamese
    assert "tin nhắn riêng sẽ chờ đến 07:00" in in_group


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/11/2025 17:00", datetime(2025, 11, 20, 17, 0)),
        ("2025-11-20 17:00", datetime(2025, 11, 20, 17, 0)),
        ("20/11 17h", datetime(2021, 11, 20, 17, 0)),
        ("5/1 8h30", datetime(2022, 1, 5, 8, 30)),  # the next 5 January to come
    ],
)
def test_local_times_are_read_in_the_bloc_timezone(text: str, expected: datetime) -> None:
    now = datetime(2021, 11, 10, 2, 0, tzinfo=UTC)

    assert parse_time(text, ZONE, now) == expected.replace(tzinfo=ZoneInfo(ZONE))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("tomorrow", TimeProblem.FORMAT),
        ("20/11/2025", TimeProblem.FORMAT),
        ("30/02/2025 10:00", TimeProblem.INVALID),
        ("20/11/2025 25:00", TimeProblem.INVALID),
        ("09/11/2021 10:00", TimeProblem.PAST),
    ],
)
def test_bad_times_say_what_is_wrong(text: str, problem: TimeProblem) -> None:
    now = datetime(2021, 11, 10, 2, 0, tzinfo=UTC)

    with pytest.raises(TimeError) as error:
        parse_time(text, ZONE, now)
    assert error.value.problem is problem
