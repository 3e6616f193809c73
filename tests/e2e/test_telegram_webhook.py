"""Telegram in webhook mode: `blocbot run` registers its webhook and answers what arrives there.

An update is answered 200 once it is stored in the inbox, and handled from there; one posted
twice is stored and answered once, and a body that is no update is answered 200 and skipped; a
request without the secret is refused with 403 and changes nothing; the webhook's path never
shows the token.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from bot.app import App
from bot.clock import FrozenClock
from bot.storage.models import InboxUpdate
from bot.testing.process import TOKEN, BotProcess
from bot.testing.serving import free_port
from bot.testing.telegram_emulator import TelegramEmulator
from tests.e2e.season import seeded

SECRET = "tg-webhook-s3cret"


async def test_telegram_by_webhook(
    tg: TelegramEmulator, app: App, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC))
    codes = await seeded(app, days=30)
    port = free_port()
    bot = BotProcess.against(
        tg,
        database_url,
        tmp_path,
        listen=f"127.0.0.1:{port}",
        webhook_url=f"https://bot.example.vn:{port}",
        webhook_secret=SECRET,
    ).start()
    try:
        await bot.wait_running()
        assert "telegram: @blocbot_test_bot (webhook)" in bot.log
        registered = tg.webhook
        url = str(registered["url"])
        assert url.startswith(f"https://bot.example.vn:{port}/webhook/telegram/")
        assert TOKEN.split(":")[1] not in url and registered["secret_token"] == SECRET
        path = url.split(f":{port}", 1)[1]
        local = f"http://127.0.0.1:{port}{path}"  # what the reverse proxy forwards to

        forged = {
            "update_id": 999,
            "message": {
                "message_id": 1,
                "date": 1,
                "chat": {"id": 1001, "type": "private"},
                "from": {"id": 1001, "is_bot": False, "first_name": "Lan"},
                "text": f"/start {codes['thue']}",
            },
        }
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}):
                async with session.post(local, data=json.dumps(forged), headers=headers) as got:
                    assert got.status == 403
        assert tg.messages(1001) == []

        await tg.deliver_to(local, SECRET)
        lan = tg.user(1001, "Lan")
        await lan.send(f"/start {codes['thue']}")
        assert "Xin chào" in (await tg.wait_reply(lan, timeout=10)).text
        await lan.send("/score")
        assert "I.1 —" in (await tg.wait_reply(lan, timeout=10)).text

        # Posted twice (Telegram did not get the first answer): stored once, answered once.
        asked = await lan.send("/myscore")
        assert asked.update_id is not None
        twice = json.dumps(tg.feed.get(asked.update_id))
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with aiohttp.ClientSession() as session:
            for body in (twice, "không phải JSON", '{"update_id": "x", "message": 5}'):
                async with session.post(local, data=body, headers=headers) as got:
                    assert got.status == 200
        await tg.wait_reply(lan, timeout=10)
        await tg.webhook_drained()
        async with app.uow() as unit:
            stored = await unit.session.scalar(select(func.count()).select_from(InboxUpdate))
        assert stored == 3 and len(tg.messages(lan)) == 3
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/metrics") as got,
        ):
            metrics = await got.text()
        assert 'blocbot_webhook_refused_total{platform="telegram"} 2.0' in metrics
        assert 'blocbot_updates_total{outcome="handled",platform="telegram"} 3.0' in metrics
        assert 'blocbot_updates_total{outcome="duplicate",platform="telegram"} 1.0' in metrics
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        print(bot.log[-3000:])
