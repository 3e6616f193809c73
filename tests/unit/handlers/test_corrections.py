"""/correct: only operators, only after the final results."""

from __future__ import annotations

from bot.testing.recording import Recording

BLOC = "tw-thaibinh"


async def test_a_head_who_is_no_operator_is_refused(recording: Recording) -> None:
    hoa = recording.person("hoa", name="Hoa", language="en")
    await hoa.say(f"/start {recording.codes['nhnn']}")
    reply = await hoa.say_text("/correct thue I.1 10 a typo")
    assert reply.startswith("Only an operator can correct final scores")


async def test_an_operator_waits_for_the_final_results(recording: Recording) -> None:
    op = recording.person("op", name="Operator", language="en")
    await op.say(f"/bloc {BLOC}")
    reply = await op.say_text("/dieuchinh thue I.1 10 a typo")
    assert "The final results are not announced yet" in reply
    assert "Send /correct AGENCY" in await op.say_text("/correct thue")
