"""/correct: only operators, only after the final results."""

from __future__ import annotations

from bot.testing.recording import Recording

BLOC = "tw-thaibinh"


async def test_a_head_who_is_no_operator_is_refused_and_not_shown_it(
    recording: Recording,
) -> None:
    hoa = recording.person("hoa", name="Hoa", language="en")
    await hoa.say(f"/start {recording.codes['nhnn']}")
    refused = "Only an operator can use /correct."
    assert await hoa.say_text("/correct thue I.1 10 a typo") == refused
    shown = await hoa.say_text("/help")
    assert "/standings" in shown and "/correct" not in shown and "/newseason" not in shown
    someone = recording.person("someone", name="Ai đó", language="en")
    assert await someone.say_text("/correct") == refused


async def test_an_operator_sees_it_in_help(recording: Recording) -> None:
    op = recording.person("op", name="Operator", language="en")
    await op.say(f"/bloc {BLOC}")
    assert "/correct" in await op.say_text("/help")


async def test_an_operator_waits_for_the_final_results(recording: Recording) -> None:
    op = recording.person("op", name="Operator", language="en")
    await op.say(f"/bloc {BLOC}")
    reply = await op.say_text("/dieuchinh thue I.1 10 a typo")
    assert "The final results are not announced yet" in reply
    assert "Send /correct AGENCY" in await op.say_text("/correct thue")
