"""The command line: ``blocbot`` (also ``python -m bot``)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    print("blocbot: not wired yet", file=sys.stderr)
    return 1
