"""The console's ``:on zalo`` and ``:on telegram``: replies shown as those platforms render
them, while the updates stay the console's; the real router on a fresh SQLite file."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.channels.console import ConsoleChannel, Stage
from bot.channels.console_render import SEPARATOR
from bot.channels.text import ZALO_LIMIT, utf16_units
from bot.clock import FrozenClock
from bot.config import Settings
from bot.demo import Sandbox
from bot.handlers.context import Context
from bot.handlers.model import Incoming, IncomingKind
from bot.handlers.router import Audience, Command

PROMPT = re.compile(r"^(?P<where>\S[^\n]*?) › (?P<line>.*)$", re.MULTILINE)
NOW = datetime(2025, 11, 10, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    settings = Settings(_env_file=None, locale="en")  # type: ignore[call-arg]
    box = Sandbox(settings, tmp_path / "demo.db", FrozenClock(NOW))
    yield box
    await box.close()


@pytest.fixture
def out() -> io.StringIO:
    return io.StringIO()


async def chat(stage: Stage, out: io.StringIO, *lines: str) -> None:
    """Type ``lines`` into the demo's console as the contact of thue (piped, not a terminal)."""
    source = io.StringIO("".join(f"{line}\n" for line in lines))
    channel = ConsoleChannel(stage, start="thue", source=source, out=out, interactive=False)
    assert await channel.run() == 0


def turns(transcript: str) -> list[tuple[str, str, str]]:
    """(where, typed line, what came back) for each echoed input line."""
    marks = list(PROMPT.finditer(transcript))
    ends = [mark.start() for mark in marks[1:]] + [len(transcript)]
    return [
        (mark.group("where"), mark.group("line"), transcript[mark.end() : end].strip())
        for mark, end in zip(marks, ends, strict=True)
    ]


def said_after(transcript: str, typed: str) -> str:
    """What came back to the last line typed as ``typed``."""
    return [text for _where, line, text in turns(transcript) if line == typed][-1]


SHEET = [  # every criterion of the sample bloc
    "I.1 25",
    "I.2 9",
    "I.3 5",
    "II.1 8",
    "II.2 7",
    "III.1 10",
    "IV.1 yes",
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
FILLED = ["/score", ":paste", *SHEET, ""]  # ends at the review: submit or keep editing


async def test_on_zalo_a_menu_is_numbered_options_answered_with_the_number(
    sandbox: Sandbox, out: io.StringIO
) -> None:
    await chat(await sandbox.start(), out, ":on zalo", *FILLED, "1", "/myscore")

    steps = turns(out.getvalue())
    assert steps[0][:2] == ("thue", ":on zalo")
    assert steps[1][0] == "Zalo · thue"  # the prompt says how replies look now
    review = said_after(out.getvalue(), ":paste")
    assert review.endswith(
        "Submit this sheet to the bloc head?\n1. Submit the sheet\n2. Keep editing"
    )
    assert "[1:" not in review
    assert "Submitted. Total: 99." in said_after(out.getvalue(), "1")
    assert "Your sheet was submitted" in said_after(out.getvalue(), "/myscore")


async def test_on_telegram_buttons_show_and_press_submits(
    sandbox: Sandbox, out: io.StringIO
) -> None:
    script = [":on telegram", *FILLED, "1", ":press 1", ":press Submit the sheet", "/myscore"]
    await chat(await sandbox.start(), out, *script)

    transcript = out.getvalue()
    assert turns(transcript)[1][0] == "Telegram · thue"
    review = said_after(transcript, ":paste")
    assert review.endswith(
        "Submit this sheet to the bloc head?\n[1: Submit the sheet]  [2: Keep editing]"
    )
    assert "1. Submit the sheet" not in review
    assert "Submitted" not in said_after(transcript, "1")  # a typed number presses nothing
    assert "Submitted. Total: 99." in said_after(transcript, ":press 1")
    # The review still carries its buttons, as on Telegram: the bot itself refuses the repeat.
    again = said_after(transcript, ":press Submit the sheet")
    assert again.startswith("(The sheet cannot be changed now.)")
    assert "Your sheet was submitted" in said_after(transcript, "/myscore")


async def test_on_telegram_a_typed_number_is_refused_and_an_edit_replaces_the_message(
    sandbox: Sandbox, out: io.StringIO
) -> None:
    script = [":on telegram", ":as head", "/announce", "1", ":press cancel", ":press 1"]
    await chat(await sandbox.start(), out, *script)

    transcript = out.getvalue()
    assert said_after(transcript, "/announce").endswith("\n[1: Publish]  [2: Cancel]")
    assert said_after(transcript, "1") == "Please answer with one of the buttons above."
    assert said_after(transcript, ":press cancel") == (
        "(replaces the earlier message)\nNothing was announced."
    )
    # The edit took the buttons away with the question, as Telegram's does.
    assert said_after(transcript, ":press 1") == "There are no buttons to press here."


async def test_replies_look_as_on_the_platform_chosen_and_updates_stay_the_console_s(
    sandbox: Sandbox, out: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = await sandbox.start()
    seen: list[Incoming] = []
    handle = stage.router.handle

    async def recorded(incoming: Incoming) -> object:
        seen.append(incoming)
        return await handle(incoming)

    monkeypatch.setattr(stage.router, "handle", recorded)
    script = [":on zalo", "/score", ":on telegram", "/score", ":press 2", ":on console", "/score"]
    await chat(stage, out, *script)

    assert [(i.platform, i.kind, i.buttons_shown) for i in seen] == [
        ("console", IncomingKind.TEXT, False),
        ("console", IncomingKind.TEXT, True),
        ("console", IncomingKind.BUTTON, True),
        ("console", IncomingKind.TEXT, False),
    ]
    pressed = seen[2]
    assert pressed.payload == "sc:skip:I.1" and pressed.message_id is not None
    assert pressed.callback_id is not None and pressed.sender == stage.contacts["thue"]
    transcript = out.getvalue()
    assert [where for where, _line, _text in turns(transcript)] == [
        "thue",
        "Zalo · thue",
        "Zalo · thue",
        "Telegram · thue",
        "Telegram · thue",
        "Telegram · thue",
        "thue",
    ]
    assert said_after(transcript, "/score").endswith("(type: back · skip · note · review)")


async def test_on_zalo_a_long_text_arrives_as_messages_of_2000_utf16_units(
    sandbox: Sandbox, out: io.StringIO
) -> None:
    # Under 2,000 characters, over 2,000 UTF-16 units: each emoji counts two on Zalo.
    long = "\n".join(f"🏆 {n}. Cơ quan số {n}: 95 điểm 🎉" for n in range(1, 66))
    assert len(long) <= ZALO_LIMIT < utf16_units(long)
    stage = await sandbox.start()

    async def ranking(ctx: Context, _args: str) -> None:
        ctx.reply(long)

    stage.router.command(Command("ranking", ranking, Audience.ANYONE, "a long ranking"))
    await chat(
        stage, out, ":on zalo", "/ranking", ":on telegram", "/ranking", ":on console", "/ranking"
    )

    zalo, telegram, console = [
        text for _where, line, text in turns(out.getvalue()) if line == "/ranking"
    ]
    messages = zalo.split(f"\n{SEPARATOR}\n")
    assert len(messages) == 2
    assert all(utf16_units(message) <= ZALO_LIMIT for message in messages)
    assert "\n".join(messages) == long  # cut between lines, nothing lost
    assert telegram == long and console == long  # 4,096 characters fit on Telegram


async def test_on_answers_what_it_takes_and_the_look_shows_in_who_and_help(
    sandbox: Sandbox, out: io.StringIO
) -> None:
    script = [":press 1", ":on mars", ":on", ":on Telegram", ":who", ":help", ":press 1"]
    await chat(await sandbox.start(), out, *script)

    said = [text for _where, _line, text in turns(out.getvalue())]
    assert said[0] == (
        "Buttons can be pressed only after :on telegram; here, type the number or word."
    )
    assert said[1] == said[2] == "Write :on zalo, :on telegram or :on console."
    assert said[3].startswith("Replies now look as on Telegram:")
    assert said[4].endswith("Here: a direct chat with the bot.\nReplies look as on Telegram.")
    assert ":on zalo" in said[5] and ":press N" in said[5]
    assert said[5].endswith("Replies look as on Telegram.")
    assert said[6] == "There are no buttons to press here."
