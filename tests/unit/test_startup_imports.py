"""Start-up loads no document library: they are loaded when a file is first written or read."""

from __future__ import annotations

import subprocess
import sys


def test_starting_the_bot_loads_no_document_library() -> None:
    probe = (
        "import sys, bot.app, bot.cli; "
        "print(sorted(m for m in ('openpyxl', 'docx', 'matplotlib') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
