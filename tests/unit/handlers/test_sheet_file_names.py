"""Which files are taken for a filled sheet by what is said of them (name, type), and which are
looked into; a refusal by name only where the name says another kind of file."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.handlers.template_xlsx import (
    CONTENT_TYPE,
    Refusal,
    Refused,
    check_name,
    is_workbook,
    said_to_be_workbook,
)

MACROS = "application/vnd.ms-excel.sheet.macroEnabled.12"


@pytest.mark.parametrize(
    ("name", "kind", "said"),
    [
        ("bang-diem.xlsx", "application/octet-stream", True),
        ("BANG DIEM.XLSX", "", True),
        ("bang-diem.xlsm", "", True),
        ("document", CONTENT_TYPE, True),
        ("document", f"{CONTENT_TYPE}; charset=binary", True),
        ("document", MACROS, True),
        ("bao-cao.pdf", "application/pdf", False),
        ("bao-cao.pdf", "application/octet-stream", False),
        ("anh", "image/jpeg", False),
        ("document", "application/octet-stream", None),
        ("file-123", "", None),
        ("archive", "application/zip", None),
    ],
)
def test_what_is_said_of_a_file_makes_it_a_workbook_or_not(
    name: str, kind: str, said: bool | None
) -> None:
    assert said_to_be_workbook(name, kind) is said


def test_only_a_name_that_says_another_kind_of_file_is_refused_by_it() -> None:
    check_name("bang-diem.xlsx")
    check_name("document")  # the content tells
    check_name("report.pdf", CONTENT_TYPE)  # the type says XLSX: the content tells
    for name, kind, reason in (
        ("report.pdf", "application/pdf", Refusal.NOT_XLSX),
        ("bang.xls", "", Refusal.NOT_XLSX),
        ("bang.xlsm", CONTENT_TYPE, Refusal.MACROS),
        ("document", MACROS, Refusal.MACROS),
    ):
        with pytest.raises(Refused) as refused:
            check_name(name, kind)
        assert refused.value.reason is reason


def test_a_workbook_is_a_zip_with_a_workbook_inside() -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")

    assert is_workbook(packed.getvalue())
    assert not is_workbook(other.getvalue())
    assert not is_workbook(b"PK\x03\x04 broken")
    assert not is_workbook(b"%PDF-1.4")
