"""Who is linked where, as the command menus read it: everyone, in batches of one query each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build
from bot.clock import FrozenClock
from bot.domain.roles import Role
from bot.services import directory as directory_module
from bot.testing.recording import Recording
from tests.conftest import SAMPLE, settings_for
from tests.unit.blocfile_cases import dump, sample_data


@pytest.fixture
async def blocs(
    database_url: str, clock: FrozenClock, tmp_path: Path
) -> AsyncIterator[tuple[Recording, dict[str, str]]]:
    """A copy of the sample bloc, then the sample (whose codes the recording knows), with the
    operators "op" (who never wrote) and "lan"; the copy's codes."""
    settings = settings_for(database_url, tmp_path).model_copy(
        update={"operators": frozenset({("telegram", "op"), ("telegram", "lan")})}
    )
    app: App = build(settings, clock)
    channel = Recording(app)
    other = sample_data()
    other["bloc"]["code"] = "khoi-hai"
    copy = tmp_path / "other.yaml"
    copy.write_text(dump(other), encoding="utf-8")
    await channel.seed(copy)
    other_codes = dict(channel.codes)
    await channel.seed(SAMPLE)
    yield channel, other_codes
    await app.close()


async def test_everyone_linked_and_every_operator_is_read_with_their_links(
    blocs: tuple[Recording, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    recording, other_codes = blocs
    names = ["lan", "hoa", "minh", "tuan", "mai"]
    for name, agency in zip(names, ["thue", "nhnn", "khobac", "thongke", "bhxh"], strict=True):
        await recording.person(name, name.title()).say(f"/start {recording.codes[agency]}")
    await recording.person("lan", "Lan").say(f"/start {other_codes['thue']}")
    monkeypatch.setattr(directory_module, "BATCH", 2)  # three batches for five people

    people = {p.user_id: p for p in await recording.app.directory().linked("telegram")}

    assert set(people) == {*names, "op"}
    assert people["op"].operator and not people["op"].links
    lan = people["lan"]
    assert lan.operator and lan.name == "Lan"
    assert [link.bloc_code for link in lan.links] == ["khoi-hai", "tw-thaibinh"]  # newest first
    assert not people["hoa"].operator
    assert [link.agency_code for link in people["hoa"].links] == ["nhnn"]
    assert people["hoa"].links[0].role is Role.HEAD
    assert people["minh"].links[0].role is Role.MEMBER
