"""/unlock and /eligibility as the head uses them, in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FrozenClock
from bot.testing.recording import Recording
from tests.unit.handlers.test_results import THUE, Bloc, bloc, line_with

__all__ = ["bloc"]  # the fixture, used by name

DEADLINE = datetime(2021, 11, 20, 10, 0, tzinfo=UTC)


async def test_unlock_after_the_deadline_lists_buttons_and_tells_the_agency(
    bloc: Bloc, clock: FrozenClock, recording: Recording
) -> None:
    early = await bloc.head.say_text("/unlock thue")
    assert "has not passed: the agency can reopen its sheet itself" in early
    clock.set(DEADLINE + timedelta(hours=1))
    unknown = await bloc.head.say_text("/unlock xyz")
    assert "no agency “xyz”" in unknown and "thue" in unknown
    wrong = await bloc.head.say_text("/unlock thue soon")
    assert "“soon” is not a time" in wrong
    (listing,) = await bloc.head.say("/mokhoa")
    assert "Whose sheet should be reopened" in listing.text
    assert THUE in [button.label for row in listing.buttons for button in row]
    done = await bloc.head.say_text("/unlock thue 22/11")
    assert f"The sheet of {THUE} is open until 22/11/2021 17:00 (before: closed)." in done
    await recording.flush_outbox()
    assert "reopened the self-score sheet" in bloc.lan.dm.texts()[-1]
    again = await bloc.head.say_text("/unlock thue +3d")
    assert "open until 23/11/2021 18:00 (before: 22/11/2021 17:00)" in again
    refused = await bloc.lan.say_text("/unlock thue")
    assert "Unknown command" in refused or "head" in refused or "/help" in refused


async def test_eligibility_dialog_asks_the_reason_and_shows_old_and_new(bloc: Bloc) -> None:
    await bloc.fill("thue", "lan", I_1="20")
    ask = await bloc.head.say_text("/eligibility")
    assert "Which agency?" in ask
    unknown = await bloc.head.say_text("zzz")
    assert "no agency “zzz”" in unknown
    state = await bloc.head.say_text("thue")
    assert f"{THUE}: eligible for awards." in state
    await bloc.head.press("Not eligible")
    question = await bloc.head.say_text("Disciplined in 2021")
    assert "because “Disciplined in 2021”?" in question
    await bloc.head.press("Confirm")
    reply = bloc.head.dm.texts()[-1]
    assert reply == (
        f"{THUE}: eligible for awards → not eligible for awards (Disciplined in 2021)."
    )
    standings = await bloc.head.say_text("/standings")
    assert "not eligible for awards" in line_with(standings, THUE)
    assert f"• {THUE}: Disciplined in 2021" in standings
