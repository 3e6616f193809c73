"""Translations: gettext catalogs in ``locales/``, the language kept in a ContextVar.

Message ids are English. The language is set once per incoming event (``use_locale``) and every
``_()`` inside that event speaks it. Catalogs are read from the ``.po`` sources at first use, so
there is no compiled file to keep in step with them.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "blocbot"

_current: ContextVar[str] = ContextVar("blocbot_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The catalog of one language (a null catalog when it has no file)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo  # loaded with the first message translated
    from babel.messages.pofile import read_po

    with path.open("rb") as source:
        catalog = read_po(source, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def normalize_locale(code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map a platform language code (``en-US``, ``vi``) to a supported locale."""
    if code:
        short = code.replace("_", "-").split("-")[0].lower()
        if short in LOCALES:
            return short
    return default


def set_default_locale(locale: str) -> None:
    """Set the language of this context (used by the command line)."""
    _current.set(normalize_locale(locale))


def current_locale() -> str:
    return _current.get()


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Speak ``locale`` inside the block."""
    token = _current.set(normalize_locale(locale))
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message that depends on a count."""
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; translate it later with ``_()``."""
    return message
