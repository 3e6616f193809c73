"""Every message in the code has a Vietnamese and an English translation with its placeholders,
and the template in the repository is what extracting the messages from the code gives now."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bot.i18n import LOCALES

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def messages_in_code() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "bot"), keywords=KEYWORDS, comment_tags=()
    ):
        found.update([message] if isinstance(message, str) else message)
    return found


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


PERCENT = re.compile(r"%(?:\((\w+)\))?[sdrf%]")  # argparse's messages: %s, %(prog)s


def percent_placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PERCENT.finditer(text))


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_translates_every_message(locale: str) -> None:
    path = ROOT / "locales" / locale / "LC_MESSAGES" / "blocbot.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=locale)
    # English message ids are English text: an empty English entry falls back to the id.
    translated: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        texts = [message.string] if isinstance(message.string, str) else list(message.string or ())
        for index, msgid in enumerate(ids):
            text = texts[min(index, len(texts) - 1)] if texts else ""
            if text or locale == "en":
                translated[msgid] = text or msgid

    missing = sorted(messages_in_code() - translated.keys())
    broken = sorted(
        message
        for message, text in translated.items()
        if placeholders(text) != placeholders(message)
        or ("%" in message and percent_placeholders(text) != percent_placeholders(message))
    )

    assert not missing, f"untranslated in {locale}: {missing}"
    assert not broken, f"placeholders differ in {locale}: {broken}"


def extract_flags() -> list[str]:
    """The options ``make locales`` extracts with (the Makefile's ``EXTRACT :=`` line)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (line,) = [line for line in makefile.splitlines() if line.startswith("EXTRACT :=")]
    return line.partition(":=")[2].split()


def template_lines(path: Path) -> list[str]:
    """A template's lines but its creation date and header comments, which ``make`` ignores."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if not line.startswith(('"POT-Creation-Date:', "# "))]


def test_template_is_what_extraction_gives_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    fresh = tmp_path / "blocbot.pot"

    command = ["pybabel", *extract_flags(), "-o", str(fresh), "bot"]
    CommandLineInterface().run(command)  # type: ignore[no-untyped-call]

    assert template_lines(ROOT / "locales" / "blocbot.pot") == template_lines(fresh), (
        "locales/blocbot.pot is out of date: run make locales, or to refresh the template "
        f"alone: .venv/bin/pybabel {' '.join(extract_flags())} -o locales/blocbot.pot bot"
    )


VIETNAMESE = set("ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ")


def test_english_speaks_no_vietnamese() -> None:
    path = ROOT / "locales" / "en" / "LC_MESSAGES" / "blocbot.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale="en")
    mixed = []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        for msgid, text in zip(ids, texts, strict=False):
            if VIETNAMESE & set((text or msgid).lower()):
                mixed.append(text or msgid)
    assert not mixed, f"Vietnamese in English messages: {mixed}"


def test_no_message_is_hidden_in_an_f_string() -> None:
    """Babel does not look inside f-strings: a literal ``_("…")`` there never reaches the
    catalog, so the text would stay English in every language."""
    hidden = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for part in ast.walk(node):
                if (
                    isinstance(part, ast.Call)
                    and isinstance(part.func, ast.Name)
                    and part.func.id in ("_", "N_", "ngettext")
                    and part.args
                    and isinstance(part.args[0], ast.Constant)
                ):
                    hidden.append(f"{path.relative_to(ROOT)}:{part.lineno}")
    assert not hidden, f"messages inside f-strings: {hidden}"
