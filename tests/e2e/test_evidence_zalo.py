"""Evidence on Zalo, against the Zalo emulator: a contact sends a photo (by the address Zalo
gives) to a criterion and the bot keeps its bytes; a file Zalo does not pass is answered with
the way to send it; a link is kept with its caption."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.app import App
from bot.channels.hub import Hub
from bot.channels.zalo import ZaloChannel
from bot.testing.process import ZALO_TOKEN
from bot.testing.zalo_emulator import ZaloEmulator, ZaloUser
from tests.e2e.season import seeded
from tests.e2e.test_attachments_zalo import zl as zl  # the emulator, polled each second

PHOTO = b"\x89PNG\r\n\x1a\n anh hoi nghi"


@pytest.fixture
async def channel(zl: ZaloEmulator, live: App) -> AsyncIterator[ZaloChannel]:
    """The Zalo channel of the live app, without a web server: nothing is sent as a link."""
    token = {"zalo_token": SecretStr(ZALO_TOKEN), "zalo_base_url": zl.api_url}
    running = ZaloChannel(live.settings.model_copy(update=token), live.router, Hub())
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def say(zl: ZaloEmulator, user: ZaloUser, text: str) -> str:
    await user.send(text)
    return "\n".join(m.text or "" for m in await zl.wait_for(user, timeout=10))


@pytest.mark.parametrize("field", ["photo", "photo_url", "url"])
async def test_a_photo_sent_on_zalo_is_kept_as_evidence(
    zl: ZaloEmulator, live: App, channel: ZaloChannel, field: str
) -> None:
    zl.photo_field = field  # type: ignore[assignment]
    codes = await seeded(live, days=5)
    lan = zl.user(name="Lan")
    await say(zl, lan, codes["thue"])
    await say(zl, lan, "/lang en")

    prompt = await say(zl, lan, "/minhchung II.1")
    assert "Evidence for II.1" in prompt and "Zalo does not pass other files" in prompt
    await lan.send_image(zl.photo_at(PHOTO, "hoi-nghi.png", "image/png"), caption="Hội nghị")
    (saved,) = await zl.wait_for(lan, timeout=10)
    assert saved.text is not None
    assert saved.text.startswith("Saved hoi-nghi.png for II.1 (1 piece).")
    await lan.send_sticker()
    (sticker,) = await zl.wait_for(lan, timeout=10)
    assert sticker.text is not None and sticker.text.startswith("Zalo passes only photos")
    linked = await say(zl, lan, "https://drive.example.vn/quyet-dinh Quyết định khen thưởng")
    assert linked.startswith("Saved https://drive.example.vn/quyet-dinh for II.1 (2 pieces).")
    assert "II.1 📎 2" in await say(zl, lan, "/done")

    async with live.work() as work:
        pieces = await work.evidence.pieces(1, (await work.evidence.agency(1, "thue") or (0,))[0])
    assert [(p.kind, p.caption) for p in pieces] == [
        ("file", "Hội nghị"),
        ("link", "Quyết định khen thưởng"),
    ]
    assert await live.files.get(pieces[0].ref or "") == PHOTO
    assert re.search(r"II\.1: …/8 · 📎 2", await say(zl, lan, "/myscore"))
