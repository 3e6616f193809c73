"""What people send, as the router reads it: cleaned of the characters nobody types, and
whether a text reads as a number."""

from __future__ import annotations

import dataclasses
import unicodedata

from bot.handlers.model import Incoming

# Cut off what nobody types and no database takes: control characters (NUL included) but
# line breaks and tabs, and lone surrogates.
_DROPPED = {"Cc", "Cs"}
_KEPT = {"\n", "\t"}


def numberish(text: str) -> bool:
    """Text that reads as a number (digits of any script, a sign, separators): ``3``, ``8,5``."""
    text = text.strip()
    return any(c.isdigit() for c in text) and all(c.isdigit() or c in ".,+-−  " for c in text)


def cleaned(incoming: Incoming) -> Incoming:
    """The update without characters nobody types and no database stores (NUL and the like)."""
    fields = {
        "text": _clean(incoming.text),
        "chat_title": _clean(incoming.chat_title),
        "sender": dataclasses.replace(
            incoming.sender, display_name=_clean(incoming.sender.display_name)
        ),
    }
    if incoming.payload is not None:
        fields["payload"] = _clean(incoming.payload)
    return dataclasses.replace(incoming, **fields)  # type: ignore[arg-type]


def _clean(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c for c in text if c in _KEPT or unicodedata.category(c) not in _DROPPED)
