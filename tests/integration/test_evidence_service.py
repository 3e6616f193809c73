"""Evidence (minh chứng): files checked against the bloc's rules before they are fetched, kept
once by content, links, counts, removal, the audit trail, and a submit refused without it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.app import App
from bot.domain.year import EvidenceRules, SeasonRules
from bot.services.evidence import EvidenceMissing, Problem, Refused
from bot.storage.models import AuditEntry, Evidence, Season
from tests.integration.test_results_service import Seeded, seed

PDF = b"%PDF-1.4 bao cao"
PDF_TYPE = "application/pdf"


def given(data: bytes):  # type: ignore[no-untyped-def]
    """A fetch that hands ``data`` and counts its calls."""
    calls: list[int] = []

    async def fetch(limit: int) -> bytes:
        calls.append(limit)
        return data

    fetch.calls = calls  # type: ignore[attr-defined]
    return fetch


async def set_rules(app: App, seeded: Seeded, rules: EvidenceRules) -> None:
    async with app.uow() as uow:
        season = (
            await uow.session.scalars(select(Season).where(Season.bloc_id == seeded.bloc_id))
        ).one()
        season.rules = SeasonRules(evidence=rules).as_json()
        await uow.commit()


@pytest.fixture
async def seeded(app: App) -> Seeded:
    return await seed(app)


async def add_pdf(app: App, seeded: Seeded, code: str = "I.1", data: bytes = PDF, **kw):  # type: ignore[no-untyped-def]
    agency, contact = seeded.agencies["thue"], seeded.contacts["thue"]
    fetch = given(data)
    added = await app.services.evidence.add_file(
        seeded.bloc_id,
        agency,
        contact,
        code,
        kw.pop("name", "bao-cao.pdf"),
        kw.pop("content_type", PDF_TYPE),
        kw.pop("size", len(data)),
        fetch,
        kw.pop("caption", None),
    )
    return added, fetch


async def test_a_file_is_kept_once_by_content_and_counted(app: App, seeded: Seeded) -> None:
    first, _ = await add_pdf(app, seeded, caption="Báo cáo năm")
    again, _ = await add_pdf(app, seeded, name="copy.pdf")
    other, _ = await add_pdf(app, seeded, "I.2")

    assert (first.count, first.again, first.piece.caption) == (1, False, "Báo cáo năm")
    assert (again.count, again.again, again.piece.filename) == (1, True, "bao-cao.pdf")
    assert other.count == 1 and not other.again
    assert await app.files.get(first.piece.ref or "") == PDF
    counts = await app.services.evidence.counts(seeded.bloc_id, seeded.agencies["thue"])
    assert counts == {"I.1": 1, "I.2": 1}
    async with app.uow() as uow:
        refs = [row.ref for row in await uow.session.scalars(select(Evidence))]
    assert len(refs) == 2 and refs[0] == refs[1]  # one stored file, two criteria


async def test_type_and_size_are_checked_before_the_download(app: App, seeded: Seeded) -> None:
    await set_rules(app, seeded, EvidenceRules(max_mb=1, types=("pdf", "png")))

    with pytest.raises(Refused) as wrong:
        await add_pdf(app, seeded, name="bang.xlsx", content_type="application/vnd.ms-excel")
    assert wrong.value.problem is Problem.TYPE and wrong.value.rules.types == ("pdf", "png")
    with pytest.raises(Refused) as disguised:
        await add_pdf(app, seeded, name="anh.png", content_type="application/pdf")
    assert disguised.value.problem is Problem.TYPE
    agency, contact = seeded.agencies["thue"], seeded.contacts["thue"]
    fetch = given(PDF)
    with pytest.raises(Refused) as large:
        await app.services.evidence.add_file(
            seeded.bloc_id, agency, contact, "I.1", "lon.pdf", PDF_TYPE, 2 * 1024 * 1024, fetch
        )
    assert large.value.problem is Problem.SIZE and large.value.rules.max_mb == 1
    assert fetch.calls == []  # type: ignore[attr-defined]  # never downloaded
    unknown = given(b"x" * (1024 * 1024 + 1))  # a size the platform did not say
    with pytest.raises(Refused):
        await app.services.evidence.add_file(
            seeded.bloc_id, agency, contact, "I.1", "lon.pdf", PDF_TYPE, None, unknown
        )
    assert unknown.calls == [1024 * 1024]  # type: ignore[attr-defined]
    with pytest.raises(Refused) as criterion:
        await add_pdf(app, seeded, "IX.9")
    assert criterion.value.problem is Problem.CRITERION
    assert await app.services.evidence.counts(seeded.bloc_id, agency) == {}


async def test_links_are_http_addresses_and_kept_once(app: App, seeded: Seeded) -> None:
    agency, contact = seeded.agencies["thue"], seeded.contacts["thue"]
    evidence = app.services.evidence
    url = "https://drive.example.vn/bao-cao"
    added = await evidence.add_link(seeded.bloc_id, agency, contact, "I.3", url, "Thư mục")
    again = await evidence.add_link(seeded.bloc_id, agency, contact, "I.3", url)
    for bad in ("ftp://x.vn/a", "drive.example.vn", "https://", "javascript:alert(1)"):
        with pytest.raises(Refused) as refused:
            await evidence.add_link(seeded.bloc_id, agency, contact, "I.3", bad)
        assert refused.value.problem is Problem.URL

    assert (added.count, added.piece.url, added.piece.caption) == (1, url, "Thư mục")
    assert again.again and again.count == 1


async def test_additions_and_removals_are_audited(app: App, seeded: Seeded) -> None:
    added, _ = await add_pdf(app, seeded)
    agency, contact = seeded.agencies["thue"], seeded.contacts["thue"]
    removed = await app.services.evidence.remove(seeded.bloc_id, agency, contact, added.piece.id)

    assert removed.filename == "bao-cao.pdf"
    assert await app.services.evidence.pieces(seeded.bloc_id, agency) == []
    async with app.uow() as uow:
        entries = [
            (e.old_value, e.new_value, e.subject, e.actor_id, e.agency_id)
            for e in await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.field == "evidence").order_by(AuditEntry.seq)
            )
        ]
        removed_at = (await uow.session.scalars(select(Evidence.removed_at))).one()
    assert entries == [
        (None, "bao-cao.pdf", "bao-cao.pdf", contact, agency),
        ("bao-cao.pdf", None, "bao-cao.pdf", contact, agency),
    ]
    assert removed_at is not None
    with pytest.raises(LookupError):
        await app.services.evidence.remove(seeded.bloc_id, agency, contact, added.piece.id)


async def test_submitting_without_required_evidence_is_refused_with_the_list(
    app: App, seeded: Seeded
) -> None:
    await set_rules(app, seeded, EvidenceRules(required=("I.1", "II.2", "B.1")))
    agency, contact = seeded.agencies["thue"], seeded.contacts["thue"]
    scoring = app.services.scoring
    sheet = await scoring.sheet(seeded.bloc_id, agency)
    answers = [(c.code, Decimal(0)) for c in sheet.table.criteria()]
    await scoring.answer(seeded.bloc_id, agency, contact, answers)
    await add_pdf(app, seeded, "II.2")

    with pytest.raises(EvidenceMissing) as missing:
        await scoring.submit(seeded.bloc_id, agency, contact)
    assert missing.value.codes == ("I.1", "B.1")
    await add_pdf(app, seeded, "I.1")
    await app.services.evidence.add_link(
        seeded.bloc_id, agency, contact, "B.1", "https://example.vn/quyet-dinh"
    )
    submitted = await scoring.submit(seeded.bloc_id, agency, contact)
    assert submitted.status.value == "submitted"
