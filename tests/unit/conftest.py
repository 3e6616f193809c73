"""Unit tests read messages in English unless a test chooses otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.i18n import current_locale, set_default_locale


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    before = current_locale()
    set_default_locale("en")
    yield
    set_default_locale(before)
