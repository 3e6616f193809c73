"""/deadline, /meeting (/hop) and /remind (/nhacnho), as the head and the others see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.domain.events import EventKind
from bot.handlers.context import Context
from bot.handlers.event_draft import Action, Draft, Step
from bot.handlers.event_text import TimeError, TimeProblem, parse_offsets, parse_time
from bot.handlers.events import describe_draft
from bot.handlers.formatting import fit_title
from bot.handlers.router import Audience, Command
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
    upcoming = (await bloc.recording.app.services.events.calendar(post.bloc_id or 0)).upcoming()
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
    assert f"The deadline “{SELF_SCORE}” is due 20/11/2021 17:00." in asked
    question = await head.say_text("27/11/2021 17:00")
    assert f"Move the deadline “{SELF_SCORE}” from 20/11/2021 17:00 to 27/11/2021 17:00?" in (
        question
    )
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
    assert f"Cancel the meeting “{TONG_KET}” on 20/12/2021 14:00?" in question

    kept = "\n".join(m.text for m in await head.press("Keep it"))
    assert f"The meeting “{TONG_KET}” was not cancelled; it stays on 20/12/2021 14:00." in kept
    assert await bloc.outbox() == []

    await head.say("/hop")
    await head.press("Cancel a meeting")
    await head.say("1")
    done = "\n".join(m.text for m in await head.press("Confirm"))
    assert f"Cancelled: {TONG_KET}" in done
    post = (await bloc.outbox())[-1].text  # the group speaks the bloc's language
    assert post == f"Đã hủy hội nghị “{TONG_KET}” lúc 20/12/2021 14:00."
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
    assert "Đang trong giờ nghỉ của khối: tin nhắn sẽ được gửi lúc 11/11/2021 07:00." in in_group


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


async def test_the_dialog_in_vietnamese_quotes_titles_and_asks_plainly(bloc: Bloc) -> None:
    head = bloc.head
    await head.say("/lang vi")
    await head.say("/deadline")

    await head.press("Dời hạn nộp")
    question = await head.say_text("1")
    assert f"Hạn “{SELF_SCORE}” hiện là 20/11/2021 17:00." in question
    question = await head.say_text("27/11/2021 17:00")
    assert question.startswith(
        f"Dời hạn “{SELF_SCORE}” từ 20/11/2021 17:00 sang 27/11/2021 17:00? Các lời nhắc sẽ "
        "được gửi lại trước thời điểm mới và nhóm của khối sẽ được báo."
    )
    labels = [button.label for button in bloc.head.dm.received[-1].rows()]
    assert labels == ["Xác nhận", "Hủy bỏ"]
    done = "\n".join(m.text for m in await head.press("Xác nhận"))
    assert f"Đã dời: {SELF_SCORE} — 27/11/2021 17:00" in done
    post = (await bloc.outbox())[-1].text
    assert post == (f"Hạn nộp “{SELF_SCORE}” được dời từ 20/11/2021 17:00 sang 27/11/2021 17:00.")

    await head.say("/deadline")
    await head.say("mới")
    await head.say("Báo cáo sơ kết")
    await head.say("05/12/2021 17:00")
    summary = await head.say_text("7 ngày, 2 giờ, 30 phút")
    assert "Nhắc trước: 7 ngày, 2 giờ, 30 phút." in summary
    assert summary.endswith("Xác nhận tạo hạn nộp này? Nhóm của khối sẽ được báo.")

    await head.say("/hop")
    await head.say("hủy")
    question = await head.say_text("1")
    assert question == (
        f"Hủy hội nghị “{TONG_KET}” lúc 20/12/2021 14:00? Các lời nhắc sẽ dừng và nhóm của khối "
        "sẽ được báo."
    )
    labels = [button.label for button in bloc.head.dm.received[-1].rows()]
    assert labels == ["Xác nhận", "Giữ lại"]  # not "Hủy bỏ", which would read as cancelling it


@pytest.mark.parametrize(
    ("typed", "offsets"),
    [
        ("7d 2h 30m", (timedelta(days=7), timedelta(hours=2), timedelta(minutes=30))),
        ("7 ngày, 2 giờ, 30 phút", (timedelta(days=7), timedelta(hours=2), timedelta(minutes=30))),
        ("2 gio 7 ngay", (timedelta(days=7), timedelta(hours=2))),
        ("3d, 3 ngày", (timedelta(days=3),)),
    ],
)
def test_reminder_offsets_typed_in_english_or_vietnamese(
    typed: str, offsets: tuple[timedelta, ...]
) -> None:
    assert parse_offsets(typed, EventKind.DEADLINE) == offsets


@pytest.mark.parametrize("typed", ["7x", "0d", "400 ngày", "7 ngày 2", "²d"])
def test_offsets_that_are_not_accepted(typed: str) -> None:
    assert parse_offsets(typed, EventKind.DEADLINE) is None


@pytest.mark.parametrize("payload", ["ev:mv:²", "ev:rm:①", "ev", "ev:mv:", "ev:mv:1:2", "ev:new:"])
async def test_forged_buttons_get_a_short_notice(bloc: Bloc, payload: str) -> None:
    await bloc.head.say("/deadline")

    await bloc.head.send_payload(payload)

    assert bloc.recording.notices[-1] == "This button has expired."


async def test_cancel_says_the_draft_was_dropped(bloc: Bloc) -> None:
    head = bloc.head
    await head.say("/deadline")
    await head.say("new")
    await head.say("Báo cáo sơ kết")

    said = await head.say_text("/cancel")

    assert "The draft deadline “Báo cáo sơ kết” was dropped; nothing was created." in said
    assert "saved" not in said
    await head.say("/hop")
    await head.press("Move a meeting")
    await head.say("1")
    said = await head.say_text("/cancel")
    assert f"The meeting “{TONG_KET}” was not moved; it stays on 20/12/2021 14:00." in said
    await head.say("/hop")
    assert "Nothing was changed on the calendar." in await head.say_text("/cancel")
    assert await bloc.outbox() == []


async def test_describe_draft_is_none_outside_the_calendar_dialog(bloc: Bloc) -> None:
    said: list[str | None] = []

    async def look(ctx: Context, _args: str) -> None:
        said.append(describe_draft(ctx))

    bloc.recording.app.router.command(Command("look", look, Audience.ANYONE, "look"))
    await bloc.head.say("/look")
    await bloc.head.say("/meeting")
    await bloc.head.say("1")
    await bloc.head.say("Sơ kết")
    await bloc.head.say("/look")

    assert said == [None, "The draft meeting “Sơ kết” was dropped; nothing was created."]


async def test_long_titles_on_buttons_are_cut_at_a_word(bloc: Bloc) -> None:
    await bloc.head.say("/hop")

    await bloc.head.press("Cancel a meeting")

    (button,) = bloc.head.dm.received[-1].rows()
    assert button.label == "Hội nghị tổng kết công tác thi đua, khen thưởng… — 20/12/2021 14:00"


def test_clip_cuts_after_a_whole_word_or_not_at_all() -> None:
    assert fit_title("Gửi bảng tự chấm điểm về Trưởng khối", 20) == "Gửi bảng tự chấm…"
    assert fit_title("Gửi bảng tự chấm điểm", 30) == "Gửi bảng tự chấm điểm"
    assert fit_title("Gửi bảng, tự chấm điểm", 11) == "Gửi bảng…"
    assert fit_title("x" * 30, 10) == "x" * 30


async def test_the_calendar_calls_the_bloc_by_its_short_name(bloc: Bloc) -> None:
    async with bloc.recording.app.uow() as uow:
        found = await uow.blocs.get("tw-thaibinh")
        assert found is not None
        found.short_name = "Khối TW Thái Bình"
        await uow.commit()

    menu = await bloc.head.say_text("/deadline")

    assert menu.startswith("Upcoming deadlines of Khối TW Thái Bình:")
    calendar = await bloc.recording.app.services.events.calendar(found.id)
    assert calendar.short_name == "Khối TW Thái Bình" and calendar.bloc_name != "Khối TW Thái Bình"


# The dialog's state as the conversation stores it (JSON), read back across a restart.

STORED_NEW = {  # a new deadline at its confirmation, as the dialog has always stored it
    "kind": "deadline",
    "tz": ZONE,
    "action": "new",
    "step": "confirm",
    "title": "Báo cáo sơ kết",
    "at": "2021-12-05T17:00:00+07:00",
    "remind": [604800, 7200],
    "closes": False,
}
STORED_MOVE = {  # a meeting being moved, waiting for its new time
    "kind": "meeting",
    "tz": ZONE,
    "action": "move",
    "event": 7,
    "title": TONG_KET,
    "old": "2021-12-20T07:00:00+00:00",
    "step": "time",
}


@pytest.mark.parametrize(
    "stored", [STORED_NEW, STORED_MOVE, {"kind": "meeting", "step": "menu", "tz": ZONE}]
)
def test_the_stored_draft_reads_back_and_writes_the_same_json(stored: dict[str, object]) -> None:
    draft = Draft.read(stored)

    assert draft is not None and draft.payload() == stored


def test_the_stored_draft_is_typed() -> None:
    new, move = Draft.read(STORED_NEW), Draft.read(STORED_MOVE)

    assert new is not None and move is not None
    assert (new.step, new.kind, new.action) == (Step.CONFIRM, EventKind.DEADLINE, Action.NEW)
    assert new.at == datetime(2021, 12, 5, 17, 0, tzinfo=ZoneInfo(ZONE))
    assert new.remind == (timedelta(days=7), timedelta(hours=2)) and new.closes is False
    assert (move.step, move.event, move.old) == (
        Step.TIME,
        7,
        datetime(2021, 12, 20, 7, 0, tzinfo=UTC),
    )
    assert move.place is None and move.remind is None


@pytest.mark.parametrize(
    "stored",
    [
        {},
        {"step": "later", "tz": ZONE},
        {"step": "time", "kind": "party", "tz": ZONE},
        {"step": "menu"},
    ],
)
def test_what_is_not_a_draft_reads_as_none(stored: dict[str, object]) -> None:
    assert Draft.read(stored) is None


async def test_a_dialog_stored_before_a_restart_goes_on(bloc: Bloc) -> None:
    head = bloc.head
    for text in ("/deadline", "new", "Báo cáo sơ kết", "2021-12-05 17:00", "7d 2h"):
        await head.say(text)
    app = bloc.recording.app
    async with app.uow() as uow:  # the conversation as stored, in its JSON shape
        stored = await uow.conversations.state("telegram", head.dm.chat_id, "hoa")
        assert stored is not None and stored.state == "event"
        assert {key: value for key, value in stored.data.items() if key != "menu"} == STORED_NEW
        stored.data = dict(STORED_NEW, title="Báo cáo quý")  # as an older run left it
        await uow.commit()

    assert "Created: Báo cáo quý — 05/12/2021 17:00" in await head.say_text("yes")
