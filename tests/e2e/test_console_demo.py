"""The console demo as a newcomer meets it: ``blocbot demo`` with typed lines, and its channel."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.blocfile import EventKind, load_bloc_file
from bot.channels.console import ConsoleChannel, Stage
from bot.clock import FrozenClock
from bot.config import Settings
from bot.demo import GROUP_TITLE, Sandbox, demo, season_open_now
from bot.handlers.context import Context
from bot.handlers.formatting import role_name
from bot.handlers.model import Outgoing
from bot.handlers.router import Audience, Command
from bot.i18n import _, use_locale
from bot.services.people import Role
from tests.conftest import SAMPLE

PROMPT = re.compile(r"^(?P<where>\S[^\n]*?) › (?P<line>.*)$", re.MULTILINE)
THUE = "Cục Thuế tỉnh Thái Bình"
NHNN = "Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Thái Bình"
NOW = datetime(2025, 11, 10, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
SCRIPT = [":who", "/help", ":as head", ":who", "/lang en", "/help", ":in group", "/help"]


def in_locale(locale: str, message: str, **values: str) -> str:
    with use_locale(locale):
        return _(message).format(**values)


def officer(locale: str, agency: str, code: str, role: Role) -> str:
    with use_locale(locale):
        return _("You are the contact officer of {agency} ({code}), {role}.").format(
            agency=agency, code=code, role=role_name(role)
        )


def turns(transcript: str) -> list[tuple[str, str, str]]:
    """(where, typed line, what came back) for each echoed input line."""
    marks = list(PROMPT.finditer(transcript))
    return [
        (
            mark.group("where"),
            mark.group("line"),
            transcript[mark.end() : marks[i + 1].start() if i + 1 < len(marks) else None].strip(),
        )
        for i, mark in enumerate(marks)
    ]


def run_demo(tmp_path: Path, lines: list[str]) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.environ["PATH"]}  # no BLOCBOT_LOCALE: Vietnamese by default
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--database", str(tmp_path / "d.db")],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=environment,
        timeout=60,
    )


def test_piped_session_switches_person_language_and_place(tmp_path: Path) -> None:
    result = run_demo(tmp_path, [*SCRIPT, ":quit", "/help"])

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    welcome, _rest = result.stdout.split("\n\n", 1)
    assert THUE in welcome and ":as head" in welcome and "/score" in welcome
    steps = turns(result.stdout)
    assert [(where, line) for where, line, _out in steps] == [
        ("thue", ":who"),
        ("thue", "/help"),
        ("thue", ":as head"),
        ("nhnn", ":who"),
        ("nhnn", "/lang en"),
        ("nhnn", "/help"),
        ("nhnn", ":in group"),
        (f"{in_locale('en', 'group')} · nhnn", "/help"),
        (f"{in_locale('en', 'group')} · nhnn", ":quit"),
    ]  # nothing read after :quit
    said = [out for _where, _line, out in steps]
    assert said[0].startswith(officer("vi", THUE, "thue", Role.MEMBER))
    assert said[0].endswith(in_locale("vi", "Here: a direct chat with the bot."))
    assert said[1].startswith(in_locale("vi", "What you can do:"))
    assert "/score" in said[1] and "/announce" not in said[1]
    assert said[2].startswith(officer("vi", NHNN, "nhnn", Role.HEAD))
    assert said[3] == said[2]
    assert said[4] == in_locale("en", "I will speak English with you from now on.")
    assert said[5].startswith(in_locale("en", "What you can do:"))
    assert "/announce" in said[5]
    assert said[6] == in_locale("en", "Here: the group {title}.", title=GROUP_TITLE)
    # The group speaks the bloc's language, whatever the person chose.
    assert said[7].startswith(in_locale("vi", "What you can do:"))
    assert said[8] == ""


def test_piped_session_ends_at_end_of_input(tmp_path: Path) -> None:
    result = run_demo(tmp_path, SCRIPT)

    assert result.returncode == 0, result.stderr
    steps = turns(result.stdout)
    assert [line for _where, line, _out in steps] == SCRIPT
    assert steps[-1][2].startswith(in_locale("vi", "What you can do:"))


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, locale="en")  # type: ignore[call-arg]


@pytest.fixture
async def sandbox(settings: Settings, tmp_path: Path) -> AsyncIterator[Sandbox]:
    box = Sandbox(settings, tmp_path / "demo.db", FrozenClock(NOW))
    yield box
    await box.close()


@pytest.fixture
def out() -> Iterator[io.StringIO]:
    yield io.StringIO()


async def chat(sandbox: Sandbox, out: io.StringIO, *lines: str) -> ConsoleChannel:
    stage = await sandbox.start()
    source = io.StringIO("".join(f"{line}\n" for line in lines))
    channel = ConsoleChannel(
        stage, start="thue", reset=sandbox.start, source=source, out=out, interactive=False
    )
    assert await channel.run() == 0
    return channel


async def test_meta_commands(sandbox: Sandbox, out: io.StringIO) -> None:
    channel = await chat(
        sandbox, out, ":who", ":as HEAD", ":in group", ":who", ":in dm", ":as thongke", ":help"
    )

    said = {(where, line): text for where, line, text in turns(out.getvalue())}
    assert said[("thue", ":who")] == (
        f"{officer('en', THUE, 'thue', Role.MEMBER)}\nHere: a direct chat with the bot."
    )
    assert said[("thue", ":as HEAD")].startswith(officer("en", NHNN, "nhnn", Role.HEAD))
    assert said[("nhnn", ":in group")] == f"Here: the group {GROUP_TITLE}."
    assert said[("group · nhnn", ":who")].endswith(f"Here: the group {GROUP_TITLE}.")
    assert said[("group · nhnn", ":in dm")] == "Here: a direct chat with the bot."
    assert said[("nhnn", ":as thongke")].startswith(
        officer("en", "Cục Thống kê Thái Bình", "thongke", Role.DEPUTY)
    )
    help_text = said[("thongke", ":help")]
    assert ":as CODE" in help_text and ":reset" in help_text and "/help" in help_text
    assert (channel.code, channel.in_group) == ("thongke", False)


async def test_unknown_agency_and_command_change_nothing(
    sandbox: Sandbox, out: io.StringIO
) -> None:
    channel = await chat(sandbox, out, ":as nope", ":as", ":foo", ":in kitchen", "hello")

    said = [text for _where, _line, text in turns(out.getvalue())]
    assert said[0].startswith("Unknown agency nope. Choose one of: thongke, khobac, thue")
    assert said[0].endswith("or head.")
    assert said[1].startswith("Unknown agency ?.")
    assert said[2] == "Unknown console command :foo. Send :help to see them."
    assert said[3] == "Use :in group or :in dm."
    assert said[4] == "Send /help to see what I can do."  # plain text goes to the bot
    assert (channel.code, channel.in_group) == ("thue", False)


async def test_quit_stops_reading(sandbox: Sandbox, out: io.StringIO) -> None:
    await chat(sandbox, out, ":quit", "/help")

    assert [line for _where, line, _text in turns(out.getvalue())] == [":quit"]


async def test_reset_recreates_the_database(sandbox: Sandbox, out: io.StringIO) -> None:
    channel = await chat(sandbox, out, ":as head", "/lang vi", ":reset", "/help")

    steps = turns(out.getvalue())
    assert steps[2][:2] == ("nhnn", ":reset")
    assert steps[2][2].startswith("The demo database was recreated; everything starts over.")
    assert officer("en", THUE, "thue", Role.MEMBER) in steps[2][2]
    # Back to the first person, and their language is the default again.
    assert steps[3][:2] == ("thue", "/help")
    assert steps[3][2].startswith("What you can do:")
    assert channel.code == "thue"


async def test_messages_to_other_chats_show_where_they_went(
    sandbox: Sandbox, out: io.StringIO
) -> None:
    channel = await chat(sandbox, out)
    stage: Stage = channel.stage
    out.truncate(0)
    out.seek(0)

    await channel.send(Outgoing("Nhắc: hạn nộp\nlà thứ Năm", platform="console", chat_id="-"))
    await channel.send(Outgoing("Nhắc nhở nộp bảng", chat_id=stage.group_id))
    await channel.send(Outgoing("Xin chào", chat_id="nhnn"))
    await channel.send(Outgoing("Tin của bạn", chat_id="thue"))

    assert out.getvalue() == (
        "[→ -]\n  Nhắc: hạn nộp\n  là thứ Năm\n"
        f"[group · {GROUP_TITLE}]\n  Nhắc nhở nộp bảng\n"
        "[→ nhnn]\n  Xin chào\n"
        "Tin của bạn\n"
    )


async def test_posts_the_bot_makes_elsewhere_are_prefixed(
    sandbox: Sandbox, out: io.StringIO
) -> None:
    stage = await sandbox.start()

    async def post(ctx: Context, _args: str) -> None:
        ctx.send("console", stage.group_id, "Kết quả đã công bố")
        ctx.send("console", "thue", "Bảng của bạn đã khóa")
        ctx.reply("Đã gửi")

    stage.router.command(Command("post", post, Audience.ANYONE, "post to the group"))
    channel = ConsoleChannel(stage, start="nhnn", out=out, source=io.StringIO(), interactive=False)
    await channel.say("/post")
    channel.in_group = True
    await channel.say("/post")

    assert out.getvalue() == (
        f"[group · {GROUP_TITLE}]\n  Kết quả đã công bố\n"
        "[→ thue]\n  Bảng của bạn đã khóa\n"
        "Đã gửi\n"
        "Kết quả đã công bố\n"  # in the group itself: no prefix
        "[→ thue]\n  Bảng của bạn đã khóa\n"
        "Đã gửi\n"
    )


async def test_demo_greets_then_chats(settings: Settings, tmp_path: Path) -> None:
    out = io.StringIO()
    path = tmp_path / "d.db"
    path.write_text("an old demo")  # replaced, not read

    code = await demo(settings, str(path), FrozenClock(NOW), source=io.StringIO(":who\n"), out=out)

    assert code == 0
    welcome, rest = out.getvalue().split("\n\n", 1)
    assert "Self-scoring for 2025 is open until 17/11/2025 17:00." in welcome
    assert THUE in welcome
    assert rest.startswith("thue › :who\nYou are the contact officer of")


def test_sample_dates_move_to_now() -> None:
    spec = season_open_now(load_bloc_file(SAMPLE), NOW)

    zone = ZoneInfo(spec.timezone)
    events = {event.code: event for event in spec.season.events}
    assert spec.season.year == 2025
    assert events["self-score"].kind is EventKind.DEADLINE
    assert events["self-score"].at == datetime(2025, 11, 17, 17, 0, tzinfo=zone)
    assert events["ky-giao-uoc"].at == datetime(2025, 9, 10, 14, 0, tzinfo=zone)
    assert events["tong-ket"].at == datetime(2025, 12, 17, 14, 0, tzinfo=zone)
    assert events["tong-ket"].title.endswith("năm 2025")
    assert all("2021" not in event.title for event in spec.season.events)


async def test_paste_sends_lines_up_to_an_empty_one_as_one_message(
    sandbox: Sandbox, out: io.StringIO
) -> None:
    await chat(sandbox, out, "/score", ":paste", "I.1 24,5", "I.2 9", "", "/myscore", ":paste")

    steps = turns(out.getvalue())
    assert [line for _where, line, _text in steps] == ["/score", ":paste", "/myscore", ":paste"]
    pasted = steps[1][2]
    assert pasted.startswith("… I.1 24,5\n… I.2 9\n")
    assert pasted.count("Saved") == 1 and "I.1 = 24.5, I.2 = 9" in pasted
    assert "I.1: 24.5/25" in steps[2][2] and "I.2: 9/10" in steps[2][2]
    assert steps[3][2] == ""  # the input ended: nothing to send


@pytest.fixture
def terminal() -> Iterator[tuple[io.TextIOWrapper, int]]:
    """A pipe standing in for a terminal: what the console reads, and where to type."""
    read_end, write_end = os.pipe()
    with open(read_end, encoding="utf-8") as source:
        yield source, write_end


async def test_lines_pasted_into_a_terminal_at_once_are_one_message(
    sandbox: Sandbox, out: io.StringIO, terminal: tuple[io.TextIOWrapper, int]
) -> None:
    stage = await sandbox.start()
    source, write_end = terminal
    channel = ConsoleChannel(stage, start="thue", source=source, out=out, interactive=True)
    running = asyncio.create_task(channel.run())

    async def send(text: str, until: str) -> str:
        """Write ``text`` in one go, as a terminal delivers a paste; what the console says."""
        start = len(out.getvalue())
        os.write(write_end, text.encode())
        for _attempt in range(200):
            await asyncio.sleep(0.05)
            if until in out.getvalue()[start:]:
                break
        return out.getvalue()[start:]

    try:
        await send("/score\n", "I.1")
        pasted = await send("I.1 24,5\nI.2 9\n", "Saved")
        apart = await send(":who\n/myscore\n", "Total")  # a console command: line by line
    finally:
        os.close(write_end)
        assert await asyncio.wait_for(running, 10) == 0

    assert pasted.count("Saved") == 1 and "I.1 = 24.5, I.2 = 9" in pasted
    assert officer("en", THUE, "thue", Role.MEMBER) in apart
    assert "I.1: 24.5/25" in apart


def test_piped_session_shows_replies_as_zalo_and_telegram_would(tmp_path: Path) -> None:
    script = [":as head", ":on zalo", "/announce", "2", ":on telegram", "/announce", "1"]
    result = run_demo(tmp_path, [*script, ":press 2", ":on console", "/announce"])

    assert result.returncode == 0, result.stderr
    steps = turns(result.stdout)
    assert [where for where, _line, _out in steps] == [
        "thue",
        "nhnn",
        "Zalo · nhnn",
        "Zalo · nhnn",
        "Zalo · nhnn",
        "Telegram · nhnn",
        "Telegram · nhnn",
        "Telegram · nhnn",
        "Telegram · nhnn",
        "nhnn",
    ]
    said = [out for _where, _line, out in steps]
    options = f"1. {in_locale('vi', 'Publish')}\n2. {in_locale('vi', 'Cancel')}"
    buttons = f"[1: {in_locale('vi', 'Publish')}]  [2: {in_locale('vi', 'Cancel')}]"
    nothing = in_locale("vi", "Nothing was announced.")
    assert options in said[2] and "[1:" not in said[2]  # Zalo: numbered options
    assert said[3] == nothing  # answered with the number
    assert buttons in said[5] and "1. " not in said[5]  # Telegram: buttons
    assert said[6] == in_locale("vi", "Please answer with one of the buttons above.")
    assert said[7] == f"{in_locale('vi', '(replaces the earlier message)')}\n{nothing}"
    assert options in said[9]  # the console's own way again
