"""What an operator's terminal shows when something fails: one line, no traceback."""

from __future__ import annotations

import io
import logging

import pytest

from bot.runner import OneLineErrors


def logged(level: int) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(OneLineErrors("%(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("blocbot.test")
    log.addHandler(handler)
    root = logging.getLogger()
    before = root.level
    root.setLevel(level)
    try:
        try:
            raise ZeroDivisionError("division by zero")
        except ZeroDivisionError:
            log.exception("closing ballot %s failed; the next tick tries again", 3)
    finally:
        root.setLevel(before)
        log.removeHandler(handler)
    return out.getvalue()


def test_an_error_is_one_line_with_its_reason() -> None:
    assert logged(logging.INFO) == (
        "ERROR blocbot.test: closing ballot 3 failed; the next tick tries again "
        "(ZeroDivisionError: division by zero)\n"
    )


@pytest.mark.parametrize("level", [logging.DEBUG])
def test_at_debug_the_traceback_follows(level: int) -> None:
    text = logged(level)
    assert "Traceback (most recent call last)" in text and text.count("\n") > 2
