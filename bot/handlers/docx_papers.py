"""The minutes of the year-end meeting (biên bản) and the proposal for awards (tờ trình) as
Word documents, in the current language: the paper's template filled with its fields by docxtpl
(``minutes_docx(papers)``, ``proposal_docx(papers)``).

The template is the operator's when the folder ``BLOCBOT_TEMPLATES`` has one of that name
(``bien-ban.docx``; the English one in ``en/``), else the one shipped in ``bot/templates``. One
that cannot be used raises ``TemplateProblem``, saying which file and why in one sentence.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any, NoReturn

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

from bot.handlers.formatting import excerpt
from bot.handlers.paper_fields import FIELD_NAMES, OWNERS, paper_fields
from bot.i18n import DEFAULT_LOCALE, LOCALES, _, current_locale
from bot.services.documents import Papers

SHIPPED = Path(__file__).resolve().parent.parent / "templates"  # bot/templates
FILES = {"minutes": "bien-ban.docx", "proposal": "to-trinh.docx"}
# Jinja's words for a block left open at the end of the template.
_UNCLOSED = re.compile(r"innermost block that needs to be closed is '(\w+)'")


class TemplateProblem(Exception):
    """An operator's template (``path``, ``name`` within the folder) that cannot make the
    paper, and why (``reason``, in the language of the paper asked for)."""

    def __init__(self, path: Path, name: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.name = name
        self.reason = reason

    def __reduce__(self) -> tuple[type[TemplateProblem], tuple[Path, str, str]]:
        return TemplateProblem, (self.path, self.name, self.reason)  # raised in another process

    def for_operator(self) -> str:
        return _("The template {file} could not be used: {reason}.").format(
            file=self.path, reason=self.reason
        )

    def for_person(self) -> str:
        return _(
            "The paper could not be made, because the template {file} could not be used: {reason}."
        ).format(file=self.name, reason=self.reason)


class UnknownField(Exception):
    """A template wrote a field the paper does not have."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(name)
        self.name = name
        self.known = known


def relative_path(kind: str, locale: str) -> Path:
    """``bien-ban.docx`` for the default language, ``en/bien-ban.docx`` for English."""
    name = FILES[kind]
    return Path(name) if locale == DEFAULT_LOCALE else Path(locale) / name


def minutes_docx(papers: Papers, folder: Path | None = None) -> bytes:
    """The minutes: time and place, who attended, the ranking, the ballots, the proposals."""
    return render("minutes", papers, folder)


def proposal_docx(papers: Papers, folder: Path | None = None) -> bytes:
    """The proposal to the provincial council: the award lines and the ranking behind them."""
    return render("proposal", papers, folder)


def render(kind: str, papers: Papers, folder: Path | None = None) -> bytes:
    """The paper of ``kind`` (minutes, proposal) from its template in ``folder``, else from
    the shipped one."""
    relative = relative_path(kind, current_locale())
    context = paper_fields(papers, kind).context()
    own = folder / relative if folder is not None else None
    if own is None or not own.is_file():
        return _fill(DocxTemplate(SHIPPED / relative), context)
    try:
        template = DocxTemplate(own)
        template.init_docx()
    except Exception:
        raise TemplateProblem(own, relative.as_posix(), _not_word()) from None
    try:
        return _fill(template, context)
    except Exception as error:
        raise TemplateProblem(own, relative.as_posix(), _reason(error)) from None


def check_templates(folder: Path) -> list[str]:
    """What is wrong with the templates in ``folder``, one sentence each, found without
    filling them in: a file that is not a Word document, a tag that is not valid, a field
    papers do not have (of an item in a list, only filling it in shows), and a Word file whose
    name is no template's, so it is not used."""
    found = []
    known = {relative_path(kind, locale) for kind in FILES for locale in LOCALES}
    for path in sorted(folder.glob("*.docx")) + sorted(folder.glob("*/*.docx")):
        relative = path.relative_to(folder)
        if path.name.startswith("~$"):  # the lock file of a document open in Word
            continue
        if relative not in known:
            names = ", ".join(sorted(p.as_posix() for p in known))
            found.append(
                _("{file} is not used: the templates are named {names}.").format(
                    file=path, names=names
                )
            )
            continue
        try:
            _parse(path, relative.as_posix())
        except TemplateProblem as problem:
            found.append(problem.for_operator())
        except Exception as error:  # what filling it in would stop at too
            found.append(TemplateProblem(path, relative.as_posix(), _reason(error)).for_operator())
    return found


def _parse(path: Path, name: str) -> None:
    """Read the template's tags and fields, without filling it in."""
    try:
        template = DocxTemplate(path)
        template.init_docx()
    except Exception:
        raise TemplateProblem(path, name, _not_word()) from None
    xml = template.patch_xml(template.get_xml())
    try:
        used = meta.find_undeclared_variables(_environment().parse(xml))
    except TemplateSyntaxError as error:
        raise TemplateProblem(path, name, _syntax(error, xml)) from None
    unknown = sorted(used - FIELD_NAMES)
    if unknown:
        reason = _unknown_field(UnknownField(unknown[0], tuple(sorted(FIELD_NAMES))))
        raise TemplateProblem(path, name, reason)


class _Undefined(StrictUndefined):
    """A field the paper does not have: filling stops there, naming it."""

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        owner, name = self._undefined_obj, str(self._undefined_name)
        if owner is missing:
            raise UnknownField(name, tuple(sorted(FIELD_NAMES)))
        if type(owner) not in OWNERS:  # not one of the fields' objects
            super()._fail_with_undefined_error(*args, **kwargs)
        known = tuple(sorted(f.name for f in dataclass_fields(owner)))
        raise UnknownField(f"{OWNERS[type(owner)]}.{name}", known)

    # What StrictUndefined refuses, refused here with the field's name.
    __iter__ = __str__ = __len__ = __eq__ = __ne__ = __bool__ = __hash__ = __contains__ = (
        _fail_with_undefined_error
    )


def _environment() -> SandboxedEnvironment:
    """Templates are filled in a sandbox (a file from elsewhere can read no more than its
    fields), names they get wrong stop them, and the fields' texts are escaped for XML."""
    return SandboxedEnvironment(autoescape=True, undefined=_Undefined)


def _fill(template: DocxTemplate, context: dict[str, Any]) -> bytes:
    template.render(context, _environment())
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _not_word() -> str:
    return _("it is not a .docx Word document (a .doc file has to be saved as .docx)")


def _reason(error: Exception) -> str:
    """Why filling the template in failed, in words an operator can act on."""
    if isinstance(error, UnknownField):
        return _unknown_field(error)
    if isinstance(error, TemplateSyntaxError):
        return _syntax(error, None)
    return _("it could not be filled in: {error}").format(error=_first_sentence(error))


def _unknown_field(error: UnknownField) -> str:
    return _("it uses the field “{field}”, which is not one of: {fields}").format(
        field=error.name, fields=", ".join(error.known)
    )


def _syntax(error: TemplateSyntaxError, xml: str | None) -> str:
    """A tag that is not valid, with the text of the paragraph it is in where known."""
    lines: list[str] = list(getattr(error, "docx_context", None) or [])
    where = ""
    if xml is not None and error.lineno:
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml).splitlines()
        if error.lineno <= len(source):
            where = source[error.lineno - 1]
    elif lines and error.lineno:
        where = lines[error.lineno - 1 - max(error.lineno - 4, 0)]
    words = excerpt(html.unescape(re.sub(r"<[^>]+>", "", where)), 80) if where else ""
    unclosed = _UNCLOSED.search(str(error))
    if unclosed:  # the end of the template is reached: no paragraph to show
        block = unclosed.group(1)
        return _("a tag “{block}” has no “end{block}” after it").format(block=block)
    message = _first_sentence(error)
    if words:
        return _("the tag in “{text}” is not valid: {error}").format(text=words, error=message)
    return _("a tag is not valid: {error}").format(error=message)


def _first_sentence(error: Exception) -> str:
    text = excerpt(str(error) or type(error).__name__, 160)
    return text.split(". ")[0].rstrip(".")
