"""/newseason for an operator, in English: confirm, the bloc is told, links and old years stay."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build
from bot.clock import FrozenClock
from bot.testing.recording import Recording
from tests.conftest import settings_for


@pytest.fixture
async def operated(database_url: str, clock: FrozenClock, tmp_path: Path) -> AsyncIterator[App]:
    """The application on the test database with telegram:op as an operator."""
    operators = frozenset({("telegram", "op")})
    settings = settings_for(database_url, tmp_path).model_copy(update={"operators": operators})
    application = build(settings, clock)
    yield application
    await application.close()


def said(replies: list) -> str:  # type: ignore[type-arg]
    return "\n".join(message.text for message in replies)


async def test_an_operator_starts_the_season_and_last_years_contacts_score_in_it(
    operated: App,
) -> None:
    recording = Recording(operated)
    await recording.seed()
    lan = recording.person("lan", language="en")
    await lan.say(f"/start {recording.codes['thue']}")
    op = recording.person("op", language="en")

    refused = said(await op.say("/newseason 2022"))
    not_operator = said(await lan.say("/newseason 2022"))
    await op.say("/bloc tw-thaibinh")
    missing = said(await op.say("/newseason 2022"))
    asked = said(await op.say("/namoi 2022 thue nhnn"))
    started = said(await op.press("Start"))
    told = await recording.flush_outbox()
    score = said(await lan.say("/score"))
    old = said(await lan.say("/standings 2021"))
    unknown = said(await lan.say("/xephang 2019"))
    again = said(await op.say("/newseason 2022 thue nhnn"))

    assert "Choose the bloc first with /bloc CODE." in refused
    assert "Only an operator can start a new season." in not_operator
    assert "No closed secret ballot elected the head and deputies for 2022" in missing
    assert "/newseason YEAR HEAD [DEPUTY ...]" in missing
    assert "Start the emulation season 2022 of" in asked
    assert "Head: Cục Thuế tỉnh Thái Bình (given by the operator)." in asked
    assert "17 criteria, as in 2021." in asked
    assert "20/11/2021 17:00 → 20/11/2022 17:00" in asked
    assert "tổng kết công tác thi đua, khen thưởng năm 2022: 20/12/2021 14:00" in asked
    assert "The emulation season 2022 of" in started and "has started" in started
    assert any("season 2022" in m.text and m.chat_id == lan.dm.chat_id for m in told)
    assert "Head: Cục Thuế tỉnh Thái Bình." in said(recording.chat(lan.dm.chat_id).received)
    assert "I.1 —" in score and "2022" in score
    assert "2021" in old and "2022" not in old
    assert "2019 is not a season of the bloc; the seasons are: 2021, 2022" in unknown
    assert "The season 2022 exists already; the seasons are: 2021, 2022." in again
