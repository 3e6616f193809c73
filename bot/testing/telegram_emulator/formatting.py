"""Text as Telegram reads it: parse modes, command entities and keyboards, with its errors."""

from __future__ import annotations

import re
from typing import Any

from bot.testing.telegram_emulator.wire import JSON, ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64

_HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")
_HTML_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_MD2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough", "||": "Spoiler"}

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![^\s.,;:!?)])")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b")

_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text a person sees once the markup of ``parse_mode`` is parsed away.

    Raises the 400 "can't parse entities: ..." that Telegram gives for broken markup.
    """
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _html_plain(text)
    if mode == "markdownv2":
        return _markdown_v2_plain(text)
    if mode == "markdown":
        return _markdown_plain(text)
    if mode:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return text


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _entities_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _html_plain(text: str) -> str:
    out: list[str] = []
    open_tags: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = _HTML_TAG.match(text, i)
            if match is None:
                raise _entities_error(
                    f'Unsupported start tag "" at byte offset {_byte_offset(text, i)}'
                )
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in _HTML_TAGS:
                kind = "end" if closing else "start"
                raise _entities_error(
                    f'Unsupported {kind} tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            if not closing:
                open_tags.append(name)
            elif not open_tags or open_tags[-1] != name:
                expected = f'"</{open_tags[-1]}>"' if open_tags else "nothing"
                raise _entities_error(
                    f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                    f'expected {expected}, found "</{name}>"'
                )
            else:
                open_tags.pop()
            i = match.end()
        elif char == "&" and (entity := _HTML_ENTITY.match(text, i)):
            code = entity.group(1)
            if code.startswith("#x"):
                out.append(chr(int(code[2:], 16)))
            elif code.startswith("#"):
                out.append(chr(int(code[1:])))
            else:
                out.append(_NAMED[code])
            i = entity.end()
        else:
            out.append(char)
            i += 1
    if open_tags:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(out)


def _markdown_v2_plain(text: str) -> str:
    out: list[str] = []
    open_marks: list[tuple[str, int]] = []
    i, n = 0, len(text)

    def toggle(mark: str) -> None:
        if open_marks and open_marks[-1][0] == mark:
            open_marks.pop()
        elif any(open_mark == mark for open_mark, _ in open_marks):
            start = next(pos for open_mark, pos in open_marks if open_mark == mark)
            raise _entities_error(
                f"Can't find end of {_MD2_NAMES[mark]} entity at byte offset "
                f"{_byte_offset(text, start)}"
            )
        else:
            open_marks.append((mark, i))

    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
        elif char == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = _find_unescaped(text, fence, i + len(fence))
            if end < 0:
                name = "Pre" if fence == "```" else "Code"
                raise _entities_error(
                    f"Can't find end of {name} entity at byte offset {_byte_offset(text, i)}"
                )
            body = re.sub(r"\\([\\`])", r"\1", text[i + len(fence) : end])
            if fence == "```" and re.match(r"[\w+#-]+\n", body):
                body = body.split("\n", 1)[1]  # the language line of a pre block
            out.append(body)
            i = end + len(fence)
        elif char == "_" and text.startswith("__", i):
            toggle("__")
            i += 2
        elif char == "|" and text.startswith("||", i):
            toggle("||")
            i += 2
        elif char in "*_~":
            toggle(char)
            i += 1
        elif char == "[":
            close = _find_unescaped(text, "](", i + 1)
            end = _find_unescaped(text, ")", close + 2) if close >= 0 else -1
            if end < 0:
                raise _entities_error(
                    f"Can't find end of TextUrl entity at byte offset {_byte_offset(text, i)}"
                )
            out.append(_markdown_v2_plain(text[i + 1 : close]))
            i = end + 1
        elif char == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1
        elif char in _MD2_RESERVED:
            raise _entities_error(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            out.append(char)
            i += 1
    if open_marks:
        mark, start = open_marks[-1]
        raise _entities_error(
            f"Can't find end of {_MD2_NAMES[mark]} entity at byte offset "
            f"{_byte_offset(text, start)}"
        )
    return "".join(out)


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while True:
        found = text.find(needle, i)
        if found < 0:
            return -1
        backslashes = 0
        while found - backslashes - 1 >= start and text[found - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return found
        i = found + 1


def _markdown_plain(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "*_`":
            fence = "```" if text.startswith("```", i) else char
            end = text.find(fence, i + len(fence))
            if end < 0:
                raise _entities_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            out.append(text[i + len(fence) : end])
            i = end + len(fence)
        elif (
            char == "["
            and (close := text.find("](", i)) > 0
            and (end := text.find(")", close)) > 0
        ):
            out.append(text[i + 1 : close])
            i = end + 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def message_entities(text: str) -> list[JSON]:
    """The bot_command and mention entities a Telegram client attaches to a typed text."""
    found = [(m.start(), m.end(), "bot_command") for m in _COMMAND.finditer(text)]
    found += [(m.start(), m.end(), "mention") for m in _MENTION.finditer(text)]
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in sorted(found)
    ]


def check_reply_markup(markup: Any) -> JSON | None:
    """Validate a reply_markup the way Telegram does for inline keyboards; return it as a dict."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard markup JSON object")
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
    elif not ("remove_keyboard" in markup or "force_reply" in markup):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: Object expected")
    if not isinstance(button.get("text"), str) or not button["text"]:
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [name for name in _BUTTON_ACTIONS if button.get(name) is not None]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request("can't parse inline keyboard button: exactly one action is expected")
    data = button.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(_URL_SCHEMES)):
        raise bad_request("BUTTON_URL_INVALID")


_URL_SCHEMES = ("http://", "https://", "tg://")


def keyboard_rows(markup: JSON | None) -> list[list[JSON]]:
    """The buttons of an inline or reply keyboard, rows of dicts that each have a "text"."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [
        [button if isinstance(button, dict) else {"text": str(button)} for button in row]
        for row in rows
    ]
