"""A province's own templates of the papers (BLOCBOT_TEMPLATES): one in the folder replaces
the shipped one, a missing one falls back to it, and a broken one is refused in one sentence
that names the file, to the person in chat and to the operator."""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from docx import Document

from bot.app import App, build
from bot.clock import FrozenClock
from bot.config import Settings
from bot.handlers.docx_papers import SHIPPED, check_templates
from bot.runner import warn_of_templates
from bot.storage.migrate import upgrade
from bot.testing.recording import Recording


def own_template(folder: Path, name: str, *lines: str) -> Path:
    """The shipped template ``name`` with ``lines`` added at its end, as a province would."""
    document = Document(str(SHIPPED / name))
    for line in lines:
        document.add_paragraph(line)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def text_of(data: bytes | None) -> list[str]:
    assert data is not None
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "templates"
    path.mkdir()
    return path


@pytest.fixture
async def recording(tmp_path: Path, clock: FrozenClock, folder: Path) -> AsyncIterator[Recording]:
    """The sample bloc, with BLOCBOT_TEMPLATES set to ``folder``."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'handlers.db'}"
    await upgrade(url)
    settings = Settings(database_url=url, templates=folder, _env_file=None)  # type: ignore[call-arg]
    app: App = build(settings, clock)
    channel = Recording(app)
    await channel.seed()
    yield channel
    await app.close()


async def test_a_template_in_the_folder_replaces_the_shipped_one(
    recording: Recording, folder: Path
) -> None:
    own_template(folder, "bien-ban.docx", "Mã khối: {{ bloc_code }}, hội nghị {{ meeting.code }}.")
    head = recording.person("hoa", language="vi")
    await head.say(f"/start {recording.codes['nhnn']}")

    [minutes] = await head.say("/bienban")
    [proposal] = await head.say("/totrinh")  # no to-trinh.docx in the folder: the shipped one
    english = recording.person("minh", language="en")
    await english.say(f"/start {recording.codes['nhnn']}")
    [in_english] = await english.say("/minutes")  # no en/bien-ban.docx: the shipped one

    lines = text_of(minutes.attachments[0].data)
    assert lines[-1] == "Mã khối: tw-thaibinh, hội nghị tong-ket."
    assert "Thời gian: 20/12/2021 14:00" in lines  # the rest of the paper as shipped
    offer = text_of(proposal.attachments[0].data)
    assert "TỜ TRÌNH" in offer and not any("Mã khối" in line for line in offer)
    assert not any("Mã khối" in line for line in text_of(in_english.attachments[0].data))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"PK not really a zip", "is not a .docx Word document"),
        (["{%p if final %}", "Kết quả chính thức."], "a tag “if” has no “endif” after it"),
        (["{{ year }", "{{ bloc }}"], "the tag in “{{ year }{{ bloc }}” is not valid: unexpected"),
        (
            ["Khối {{ bloc_nam }}"],
            "the field “bloc_nam”, which is not one of: attendance, attended, awards, ballots,",
        ),
        (
            ["Tại {{ meeting.plac }}"],
            "the field “meeting.plac”, which is not one of: code, place,",
        ),
        (
            ["{%p for w in awards %}", "{{ w.titel }}", "{%p endfor %}"],
            "the field “awards.titel”, which is not one of: agencies, ballot, count, no, tied,",
        ),
    ],
    ids=["not-a-docx", "unclosed-tag", "bad-tag", "unknown-field", "meeting-field", "award-field"],
)
async def test_a_broken_template_is_refused_in_one_sentence(
    recording: Recording,
    folder: Path,
    caplog: pytest.LogCaptureFixture,
    content: bytes | list[str],
    reason: str,
) -> None:
    path = folder / "en" / "bien-ban.docx"
    if isinstance(content, bytes):
        path.parent.mkdir()
        path.write_bytes(content)
    else:
        own_template(folder, "en/bien-ban.docx", *content)
    head = recording.person("hoa", language="en")
    await head.say(f"/start {recording.codes['nhnn']}")

    with caplog.at_level(logging.WARNING):
        [reply] = await head.say("/minutes")

    assert not reply.attachments
    assert reply.text.startswith(
        "The paper could not be made, because the template en/bien-ban.docx could not be used:"
    )
    assert reason in reply.text and reply.text.count("\n") == 0 and str(folder) not in reply.text
    [logged] = [r.getMessage() for r in caplog.records if "could not be used" in r.getMessage()]
    assert logged.startswith(f"The template {path} could not be used:") and reason in logged
    assert "Traceback" not in caplog.text


def test_the_start_up_check_names_each_broken_or_misnamed_file(folder: Path) -> None:
    own_template(folder, "bien-ban.docx", "{{ meeting.title }}")  # fine
    own_template(folder, "to-trinh.docx", "{% for a in awards %}{{ a.title }}")
    own_template(folder, "en/to-trinh.docx", "{{ leader }} {{ secretary }}")
    (folder / "Bien-Ban.docx").write_bytes(b"")
    (folder / "~$bien-ban.docx").write_bytes(b"")  # Word's lock file while it is open

    found = check_templates(folder)

    assert len(found) == 3
    misnamed, unclosed, unknown = found
    assert misnamed.startswith(f"{folder / 'Bien-Ban.docx'} is not used: the templates are named")
    assert "bien-ban.docx, en/bien-ban.docx, en/to-trinh.docx, to-trinh.docx." in misnamed
    assert unclosed.startswith(f"The template {folder / 'to-trinh.docx'} could not be used:")
    assert unclosed.endswith("could not be used: a tag “for” has no “endfor” after it.")
    assert "the field “secretary”, which is not one of: attendance, attended," in unknown


async def test_blocbot_run_tells_the_operator_at_start_up(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (folder / "to-trinh.docx").write_text("a text file", encoding="utf-8")
    settings = Settings(templates=folder, _env_file=None)  # type: ignore[call-arg]

    with caplog.at_level(logging.WARNING):
        await warn_of_templates(settings)

    [line] = caplog.messages
    assert line.startswith(f"The template {folder / 'to-trinh.docx'} could not be used: it is")


def test_a_missing_folder_is_a_setting_problem(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from bot.config import problems

    with pytest.raises(ValidationError) as refused:
        Settings(templates=str(tmp_path / "nowhere"), _env_file=None)  # type: ignore[call-arg]

    [problem] = problems(refused.value)
    assert problem.variable == "BLOCBOT_TEMPLATES"
    assert problem.value == str(tmp_path / "nowhere")
    assert "a folder that exists" in problem.accepted
    assert Settings(templates=" ", _env_file=None).templates is None  # type: ignore[call-arg]
    shutil.rmtree(tmp_path, ignore_errors=True)
