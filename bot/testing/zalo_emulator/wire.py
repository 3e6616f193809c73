"""What travels over HTTP: request parameters in any encoding Zalo accepts, and error envelopes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aiohttp import web

JSON = dict[str, Any]

TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")

_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request timeout",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class ZaloError(Exception):
    """An answer with ``ok: false``, as the Zalo Bot API gives it."""

    def __init__(self, error_code: int, description: str) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description

    def body(self) -> JSON:
        """The JSON envelope of this error."""
        return {"ok": False, "error_code": self.error_code, "description": self.description}


def error_for_code(error_code: int, description: str | None = None) -> ZaloError:
    """The error with this code and its usual description (or the one given)."""
    if description is None:
        description = _DESCRIPTIONS.get(error_code)
    if description is None:
        try:
            description = HTTPStatus(error_code).phrase
        except ValueError:
            description = f"Error {error_code}"
    return ZaloError(error_code, description)


def bad_request(detail: str) -> ZaloError:
    """A 400 whose description starts with "Bad Request: "."""
    return ZaloError(400, f"Bad Request: {detail}")


def utf16_units(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, as Zalo counts it: an emoji is two."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


class Params:
    """The parameters of one call: query string, then the body (JSON, form or multipart)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        """Merge the query string and the body, whatever its encoding."""
        values: dict[str, Any] = dict(request.query)
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    values[name] = value.file.read().decode("utf-8", errors="replace")
                else:
                    values[name] = value if isinstance(value, str) else value.decode()
            return cls(values)
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                if request.content_type == "application/json":
                    raise bad_request("can't parse JSON body") from None
                body = None
            if isinstance(body, dict):
                values.update(body)
            elif request.content_type == "application/json":
                raise bad_request("the JSON body must be an object")
        return cls(values)

    def as_dict(self) -> JSON:
        """Every parameter as received."""
        return dict(self._values)

    def get_str(self, name: str) -> str | None:
        """A string parameter (numbers as their digits), or None."""
        value = self._values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value, ensure_ascii=False)

    def require_str(self, name: str) -> str:
        """A string parameter that must be there and not empty."""
        value = self.get_str(name)
        if not value:
            raise bad_request(f"{name} is required")
        return value

    def get_float(self, name: str) -> float | None:
        """A number parameter given as a number or a string like "30", or None."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name}") from None
