"""/minutes (/bienban) and /proposal (/totrinh) answer the head with a Word document and
refuse a plain member."""

from __future__ import annotations

import io

from docx import Document

from bot.handlers.model import AttachmentKind
from bot.testing.recording import Recording


async def test_the_head_gets_the_minutes_and_a_member_is_refused(recording: Recording) -> None:
    head = recording.person("hoa", language="en")
    await head.say(f"/start {recording.codes['nhnn']}")
    member = recording.person("lan", language="en")
    await member.say(f"/start {recording.codes['thue']}")

    [reply] = await head.say("/minutes")
    assert "minutes of the year-end meeting of 2021" in reply.text
    [document] = reply.attachments
    assert document.kind is AttachmentKind.DOCUMENT
    assert document.filename == "bien-ban-tong-ket-tw-thaibinh-2021.docx"
    assert document.data is not None
    text = [p.text for p in Document(io.BytesIO(document.data)).paragraphs]
    assert "Time: 20/12/2021 14:00" in text

    [proposal] = await head.say("/totrinh")
    assert proposal.attachments[0].filename == "to-trinh-khen-thuong-tw-thaibinh-2021.docx"
    assert "no meeting nope" in await head.say_text("/minutes nope")

    refused = await member.say("/minutes")
    assert all(not message.attachments for message in refused)
    assert "head" in refused[0].text  # who may use it
