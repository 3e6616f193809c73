"""Evidence on Telegram, against the Bot API emulator: a contact sends a PDF and a photo to a
criterion with /evidence, each is acknowledged with its name and the criterion's count, /myscore
counts them, and the head receives them back as files with /evidence AGENCY CODE."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.testing.telegram_emulator import FakeUser, TelegramEmulator
from tests.e2e.season import seeded
from tests.e2e.test_attachments_telegram import channel as channel  # the running channel

PDF = b"%PDF-1.4 bao cao tong ket"


async def say(tg: TelegramEmulator, user: FakeUser, text: str, count: int = 1) -> str:
    await user.send(text)
    return "\n".join(m.text or "" for m in await tg.wait_for(user, count=count, timeout=10))


async def linked(tg: TelegramEmulator, user_id: int, name: str, code: str) -> FakeUser:
    user = tg.user(user_id, name, language_code="en")
    await user.send(f"/start {code}")
    await tg.wait_for(user, timeout=10)
    return user


async def test_a_contact_sends_a_pdf_and_a_photo_and_the_head_gets_them_back(
    tg: TelegramEmulator, live: App, channel: TelegramChannel
) -> None:
    codes = await seeded(live, days=5)
    lan = await linked(tg, 3101, "Lan", codes["thue"])
    head = await linked(tg, 3102, "Hùng", codes["nhnn"])

    prompt = await say(tg, lan, "/evidence I.1")
    assert "Evidence for I.1" in prompt and "0 pieces" in prompt
    await lan.send_document("bao-cao.pdf", PDF, caption="Báo cáo", mime_type="application/pdf")
    (saved,) = await tg.wait_for(lan, timeout=10)
    assert saved.text == "Saved bao-cao.pdf for I.1 (1 piece)."
    await lan.send_document("bao-cao.pdf", PDF, mime_type="application/pdf")
    (again,) = await tg.wait_for(lan, timeout=10)
    assert again.text is not None and "already evidence for I.1 (1 piece)" in again.text
    await lan.send_photo(caption="Ảnh hội nghị")
    (photo,) = await tg.wait_for(lan, timeout=10)
    assert photo.text is not None and photo.text.endswith(" for I.1 (2 pieces).")
    await lan.send_document("virus.exe", b"MZ", mime_type="application/octet-stream")
    (refused,) = await tg.wait_for(lan, timeout=10)
    assert refused.text is not None and refused.text.startswith("virus.exe is not a file type")
    assert "I.1 📎 2" in await say(tg, lan, "/done")
    assert "📎 2" in await say(tg, lan, "/myscore")

    await head.send("/evidence thue I.1")
    text, document, picture = await tg.wait_for(head, count=3, timeout=10)
    assert text.text is not None and text.text.startswith("Evidence of ")
    assert "bao-cao.pdf — Báo cáo" in text.text
    assert document.kind == "document" and document.file is not None
    assert (document.file.file_name, document.file.content) == ("bao-cao.pdf", PDF)
    assert picture.kind == "photo"


async def test_a_file_outside_the_dialog_is_not_read(
    tg: TelegramEmulator, live: App, channel: TelegramChannel
) -> None:
    codes = await seeded(live, days=5)
    lan = await linked(tg, 3103, "Lan", codes["thue"])
    await lan.send_document("bao-cao.pdf", PDF, mime_type="application/pdf")
    (answer,) = await tg.wait_for(lan, timeout=10)
    assert answer.text == "I can only read text. Send /help to see what I can do."
    assert "/evidence" in await say(tg, lan, "/help")


SHEET = """I.1 20
I.2 9,5
I.3 5
II.1 8
II.2 7
III.1 10
IV.1 có
IV.2 5
V.1 5
V.2 4.5
VI.1 5
VI.2 5
VII.1 5
B.1 5
B.2 3
D.1 0
D.2 0"""


def required(data: dict[str, Any]) -> None:
    data["season"]["evidence"] = {"required": ["I.1", "II.2"], "types": ["pdf"]}


async def test_a_sheet_without_the_required_evidence_is_not_submitted(
    tg: TelegramEmulator, live: App, channel: TelegramChannel
) -> None:
    codes = await seeded(live, days=5, change=required)
    lan = await linked(tg, 3104, "Lan", codes["thue"])
    await say(tg, lan, "/score")
    assert "Submit this sheet" in await say(tg, lan, SHEET)

    await lan.press("Submit the sheet")
    (refused,) = await tg.wait_for(lan, timeout=10)
    assert refused.text == (
        "The bloc requires evidence for I.1, II.2 before the sheet is submitted. "
        "Send it with /evidence I.1, then submit again."
    )
    assert "Evidence is required for: I.1, II.2." in await say(tg, lan, "/evidence")
    await say(tg, lan, "/evidence II.2")
    await lan.send_photo()
    (photo,) = await tg.wait_for(lan, timeout=10)
    assert photo.text is not None and photo.text.endswith("it takes PDF.")
