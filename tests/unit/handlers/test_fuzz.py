"""Thousands of generated updates through the router: every one answered, nothing broken.

Seeded: the seed is printed when the test fails; ``BLOCBOT_FUZZ_SEED`` replays one.
"""

from __future__ import annotations

import logging
import os
import random
from decimal import Decimal

import pytest

from bot.channels.text import TELEGRAM_LIMIT
from bot.handlers.model import ChatKind, Incoming, IncomingKind, Sender
from bot.testing.recording import Recording

SEED = int(os.environ.get("BLOCBOT_FUZZ_SEED", "20261201"))
COUNT = 5000

NUMBERS = [
    "9" * 29, "9" * 400, "1" + "0" * 10_000, "NaN", "nan", "Infinity", "-inf", "1e309", "1e2",
    "-0", "+0", "８,５", "٨", "۵", "1.000", "8,500", "24,5,5", "1 000", "²", "①", "³⁄₄", "0x10",
    "0,75", "8.5", "−5", "--5", "5-", ".5", "5.", ",", "-", "+", "25", "0", "4,75", "10", "1",
    "2", "3", "3,0", "0.0000001", "99999999999999999999999999999.5",
]  # fmt: skip
WORDS = [
    "", " ", "\t", "\n\n", "skip", "bỏ qua", "back", "quay lại", "review", "xem lại", "note",
    "ghi chú", "submit", "nộp", "có", "không", "đạt", "chưa đạt", "yes", "no", "nhóm I",
    "group IV", "I.1", "IV.1", "B.2", "Z.9", "nhóm", "/score", "/chamdiem", "/myscore",
    "/note", "/note ab\x00cd", "/cancel", "/help", "/lang en", "/lang vi", "/lang fr",
    "/standings", "/progress", "/announce", "/remind", "/deadline", "/meeting", "/linkgroup",
    "/linkgroup ABC", "/start", "/start AAAAAAAAAAAA", "/", "//", "/score@other_bot",
    "/score I.9", "/score " + "x" * 300, "{0}", "{}", "{code}", "%s", "%(x)s", "<b>x</b>",
    "*bold*", "_x_", "`x`", "[a](b)", "\\", "'", '"', "\x00", "ab\x00cd", "\ud800", "‮abc",
    "I.1 28\nI.2: 9,5\nI.9 3", "I.1 ²", "IV.1 maybe", "D.2 3", "I.1 = 5", "I.1: 1e309",
]  # fmt: skip
PAYLOADS = [
    "sc", "sc:", "sc:yes", "sc:yes:N1.1", "sc:yes:I.1", "sc:no:IV.1", "sc:yes:IV.1",
    "sc:put:I.1:99", "sc:put:I.1:²", "sc:put:I.1:5", "sc:put:I.1", "sc:ask:I.1", "sc:ask:²",
    "sc:skip:I.1", "sc:skip:Z.9", "sc:back:", "sc:note:I.2", "sc:review", "sc:edit",
    "sc:edit:B.1", "sc:submit", "sc:submit:deadbeef", "sc:reopen", "sc:show", "ev",
    "ev:mv:²", "ev:mv:", "ev:mv:1", "ev:x", "an", "an:yes:²", "an:yes:2021", "an:no",
    "st", "st:move", "st:stay", "zz:top", "", ":", "::::", "①",
]  # fmt: skip


def generated(rng: random.Random) -> str:
    """One message as people (and accidents) type them."""
    kind = rng.random()
    if kind < 0.30:
        return rng.choice(NUMBERS)
    if kind < 0.55:
        return rng.choice(WORDS)
    if kind < 0.65:
        code = rng.choice(["I.1", "I.2", "I.3", "IV.1", "B.1", "B.2", "D.1", "D.2", "X"])
        return f"{code} {rng.choice(NUMBERS)}"
    if kind < 0.72:
        lines = [generated(rng) for _ in range(rng.randint(2, 8))]
        return "\n".join(lines)
    if kind < 0.80:
        return "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(1, 30)))
    if kind < 0.83:
        return rng.choice(["x", "9", "I.1 5\n", "ạ", "😀"]) * rng.randint(1000, 4096)
    if kind < 0.88:
        return rng.choice(["  ", "\n", " \t "]) * rng.randint(1, 5)
    return "".join(rng.choice("{}%<>*_`[]()\\/:,.-+0123456789ĐđạI ") for _ in range(12))


@pytest.mark.timeout(120)
async def test_generated_updates_are_all_answered_and_break_nothing(
    recording: Recording, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED)
    people = [recording.person(f"p{n}", f"Người {n}", rng.choice(["vi", "en"])) for n in range(6)]
    for person, agency in zip(people[:4], ["thue", "nhnn", "khobac", "thongke"], strict=True):
        await person.say(f"/start {recording.codes[agency]}")
    group = recording.group()
    await people[1].say(f"/linkgroup {recording.group_code}", group)
    caplog.set_level(logging.ERROR)
    problems: list[str] = []

    for number in range(COUNT):
        person = rng.choice(people)
        in_group = rng.random() < 0.1
        chat = group if in_group else person.dm
        roll = rng.random()
        if roll < 0.15:
            kind, text, payload = IncomingKind.BUTTON, "", rng.choice(PAYLOADS)
        elif roll < 0.18:
            kind, text, payload = IncomingKind.EDITED, generated(rng), None
        elif roll < 0.21:
            kind, text, payload = IncomingKind.UNSUPPORTED, "", None
        else:
            kind, text, payload = IncomingKind.TEXT, generated(rng), None
        incoming = Incoming(
            platform="telegram",
            update_id=f"fuzz-{number}",
            chat_id=chat.chat_id,
            chat_kind=ChatKind.GROUP if in_group else ChatKind.PRIVATE,
            sender=Sender(person.sender.user_id, person.sender.display_name, "vi"),
            kind=kind,
            text=text,
            payload=payload,
            callback_id="cb" if payload is not None else None,
            bot_username="blocbot_bot",
            buttons_shown=rng.random() < 0.5,
        )
        replies = await recording.app.router.handle(incoming)
        said = f"update {number} ({kind}, {text[:60]!r}, {payload!r})"
        texts = [message.text for message in replies.messages]
        if not in_group and not texts and not replies.notice:
            problems.append(f"{said}: no answer")
        for reply in texts:
            if len(reply) > TELEGRAM_LIMIT:
                problems.append(f"{said}: a reply of {len(reply)} characters: {reply[:200]!r}")
            if "went wrong" in reply or "có lỗi" in reply:
                problems.append(f"{said}: the apology: {reply[:80]!r}")
        if len(problems) > 20:
            break

    errors = [record.getMessage() for record in caplog.records]
    stored = await _stored(recording)
    assert not problems, f"seed {SEED}:\n" + "\n".join(problems[:20])
    assert not errors, f"seed {SEED}: errors logged: {errors[:5]}"
    assert not stored, f"seed {SEED}: scores out of range or step: {stored}"


async def _stored(recording: Recording) -> list[str]:
    """Every stored self-score that is outside 0..max or off the step."""
    wrong = []
    async with recording.app.uow() as uow:
        bloc = await uow.blocs.get("tw-thaibinh")
        assert bloc is not None
        bloc_id = bloc.id
        agencies = [(agency.id, agency.code) for agency in bloc.agencies]
    for agency_id, code in agencies:
        sheet = await recording.app.services.scoring.sheet(bloc_id, agency_id)
        for criterion in sheet.table.criteria():
            value = sheet.values.get(criterion.code)
            if value is None:
                continue
            if not (Decimal(0) <= value <= criterion.max) or value % sheet.table.step:
                wrong.append(f"{code} {criterion.code} = {value}")
    return wrong
