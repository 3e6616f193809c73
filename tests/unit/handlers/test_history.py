"""/history: who changed a criterion, when, from what to what; one's own agency, or any for
the head, deputies and operators."""

from __future__ import annotations

import pytest

from bot.testing.recording import Person, Recording

THUE = "Cục Thuế tỉnh Thái Bình"


async def linked(recording: Recording, name: str, agency: str) -> Person:
    person = recording.person(name.lower(), name, language="en")
    await person.say(f"/start {recording.codes[agency]}")
    return person


@pytest.fixture
async def lan(recording: Recording) -> Person:
    """Lan of thue, who scored I.1 twice and wrote a note on it."""
    person = await linked(recording, "Lan", "thue")
    await person.say("/score")
    await person.say("I.1 20\nI.2 8,5")
    await person.say("I.1 24,5")
    await person.say("I.1")  # back to I.1, where the note goes
    await person.say("/note báo cáo số 12")
    return person


@pytest.fixture
async def hoa(recording: Recording) -> Person:
    """Hoa of nhnn, the bloc head."""
    return await linked(recording, "Hoa", "nhnn")


async def test_a_contact_sees_the_changes_of_a_criterion_on_their_sheet(lan: Person) -> None:
    text = await lan.say_text("/history i.1")

    lines = text.splitlines()
    assert lines[0].startswith("History of I.1 “") and lines[0].endswith(f", {THUE}, 2021:")
    assert lines[1] == f"10/11/2021 09:00 · Lan, {THUE}: self-score — → 20"
    assert lines[2] == f"10/11/2021 09:00 · Lan, {THUE}: self-score 20 → 24.5"
    assert lines[3] == f"10/11/2021 09:00 · Lan, {THUE}: note — → “báo cáo số 12”"
    assert len(lines) == 4


async def test_in_vietnamese_points_have_a_comma(lan: Person) -> None:
    await lan.say("/lang vi")

    text = await lan.say_text("/lichsu I.1")

    assert "20 → 24,5" in text


async def test_an_unknown_code_is_named_with_where_the_codes_are(lan: Person) -> None:
    text = await lan.say_text("/history X.9")

    assert text == "There is no criterion X.9 in the scoring table; /myscore lists the codes."


async def test_a_contact_cannot_see_another_agency(lan: Person, hoa: Person) -> None:
    text = await lan.say_text("/history nhnn I.1")
    unknown = await lan.say_text("/history nowhere I.1")

    refused = "Only the bloc head, deputies or operators can see another agency's history."
    assert text == refused and unknown == refused
    assert "History of I.2" in await lan.say_text("/history thue I.2")  # their own, named


async def test_the_head_names_an_agency(lan: Person, hoa: Person) -> None:
    text = await hoa.say_text("/history thue I.1")
    unknown = await hoa.say_text("/history nowhere I.1")
    usage = await hoa.say_text("/history")

    assert f"Lan, {THUE}: self-score 20 → 24.5" in text
    assert unknown.startswith("There is no agency nowhere in the bloc; its agencies are: ")
    assert "thue" in unknown
    assert "/history thue I.1" in usage


async def test_a_criterion_without_changes_says_so(hoa: Person) -> None:
    text = await hoa.say_text("/history I.3")

    assert text.splitlines()[1] == "No changes yet."


async def test_a_long_history_shows_the_newest_and_counts_the_rest(lan: Person) -> None:
    for value in range(1, 23):  # 22 more changes of I.2
        await lan.say(f"I.2 {value % 2 * 0.5 + value % 10}")

    lines = (await lan.say_text("/history I.2")).splitlines()

    assert lines[1] == "(3 older changes are not shown.)"
    assert len(lines) == 2 + 20
    assert lines[-1].endswith("self-score 1.5 → 2")
