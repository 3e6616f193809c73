"""Broken variants of the sample bloc file, shared by the bloc file and the storage tests.

Each variant is the sample with one thing wrong; the storage tests import them to prove that a
file with problems writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bot.blocfile import read_yaml

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "examples" / "tw-thaibinh.yaml"


def sample_data() -> dict[str, Any]:
    """The sample bloc file as plain data, to change and dump again."""
    data: dict[str, Any] = read_yaml(SAMPLE.read_text(encoding="utf-8"))
    return data


def dump(data: dict[str, Any]) -> str:
    """Bloc file text of ``data``."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _unknown_head(data: dict[str, Any]) -> str:
    data["season"]["head"] = "khobac-cu"
    return "season.head"


def _duplicate_criterion(data: dict[str, Any]) -> str:
    data["season"]["criteria"][1]["items"][0]["code"] = "I.1"
    return "season.criteria[1].items[0].code"


def _negative_max(data: dict[str, Any]) -> str:
    data["season"]["criteria"][0]["items"][1]["max"] = -5
    return "season.criteria[0].items[1].max"


def _bad_date(data: dict[str, Any]) -> str:
    data["season"]["deadlines"][0]["due"] = "2025-13-40 17:00"
    return "season.deadlines[0].due"


def _bonus_cap_missing(data: dict[str, Any]) -> str:
    del data["season"]["criteria"][7]["cap"]  # group B, kind bonus
    return "season.criteria[7].cap"


def _bad_quiet_hours(data: dict[str, Any]) -> str:
    data["bloc"]["quiet_hours"] = "21:00 to 07:00"
    return "bloc.quiet_hours"


_BREAKS: dict[str, Callable[[dict[str, Any]], str]] = {
    "unknown_head": _unknown_head,
    "duplicate_criterion": _duplicate_criterion,
    "negative_max": _negative_max,
    "bad_date": _bad_date,
    "bonus_cap_missing": _bonus_cap_missing,
    "bad_quiet_hours": _bad_quiet_hours,
}


def broken_variants() -> dict[str, tuple[str, str]]:
    """Name -> (bloc file text with one problem, the path that problem is reported at)."""
    variants = {}
    for name, breaks in _BREAKS.items():
        data = sample_data()
        path = breaks(data)
        variants[name] = (dump(data), path)
    return variants
