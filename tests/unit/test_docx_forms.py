"""The shipped templates of the papers are what ``bot.handlers.docx_forms`` builds, every tag
whole in one run of text, and the package ships them."""

from __future__ import annotations

import re
import tomllib
import zipfile
from pathlib import Path

import pytest

from bot.handlers.docx_forms import build
from bot.handlers.docx_papers import FILES, SHIPPED, check_templates, relative_path
from bot.i18n import LOCALES

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_FILES = [relative_path(kind, locale) for locale in LOCALES for kind in FILES]
TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")


def body(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        return docx.read("word/document.xml").decode()


def test_the_shipped_templates_are_what_the_module_builds(tmp_path: Path) -> None:
    built = build(tmp_path)

    assert sorted(p.relative_to(tmp_path) for p in built) == sorted(SHIPPED_FILES)
    for relative in SHIPPED_FILES:
        # If this fails: python -m bot.handlers.docx_forms, and commit bot/templates.
        assert body(SHIPPED / relative) == body(tmp_path / relative), relative


@pytest.mark.parametrize("relative", SHIPPED_FILES, ids=str)
def test_every_tag_is_whole_in_one_run(relative: Path) -> None:
    runs = TEXT.findall(body(SHIPPED / relative))
    tags = [run for run in runs if "{" in run or "}" in run]

    assert tags, "the template has tags"
    for run in tags:  # a run opens and closes each of its tags
        assert run.count("{{") == run.count("}}") and run.count("{%") == run.count("%}"), run
    rows = [run for run in runs if run.startswith("{%tr")]
    assert rows == ["{%tr for p in ranking %}", "{%tr endfor %}"]


def test_the_shipped_templates_have_no_problem() -> None:
    assert check_templates(SHIPPED) == []


def test_the_package_ships_the_templates() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["bot"]
    for relative in SHIPPED_FILES:
        assert any((Path("templates") / relative).match(p) for p in patterns), relative
