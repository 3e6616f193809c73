"""What travels over HTTP: request parameters in any of Telegram's encodings, and API errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web

JSON = dict[str, Any]

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


class ApiError(Exception):
    """An answer with ``ok: false``, as the Bot API gives it."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        """The JSON body Telegram sends along with the HTTP status."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 whose description starts with "Bad Request: "."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """A 403 whose description starts with "Forbidden: "."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 that tells the bot how many seconds to wait."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def error_for_status(
    status: int, retry_after: int = 3, description: str | None = None
) -> ApiError:
    """The error Telegram would give with this HTTP status."""
    if status == 429:
        return too_many_requests(retry_after)
    if description is None:
        description = {
            400: "Bad Request: injected failure",
            403: "Forbidden: bot was blocked by the user",
            409: "Conflict: terminated by other getUpdates request",
        }.get(status)
    if description is None:
        try:
            description = HTTPStatus(status).phrase
        except ValueError:
            description = f"Error {status}"
    return ApiError(status, description)


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart request."""

    filename: str
    content: bytes
    content_type: str


class Params:
    """The parameters of one Bot API call, whatever encoding the bot used.

    JSON bodies keep their types; form and multipart values are strings, in which nested objects
    (reply_markup, scope, ...) arrive JSON-encoded, numbers as digits and booleans as "true".
    """

    def __init__(self, values: Mapping[str, Any], uploads: Mapping[str, Upload] | None = None):
        self._values = values
        self._uploads = uploads or {}

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        """Read query string and body (JSON, url-encoded form or multipart)."""
        values: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            values.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    content = value.file.read()
                    uploads[name] = Upload(value.filename, content, value.content_type)
                else:
                    values[name] = value if isinstance(value, str) else value.decode()
        return cls(values, uploads)

    def as_dict(self) -> JSON:
        """Every parameter as received (uploads by file name)."""
        values = dict(self._values)
        values.update({name: f"<upload {u.filename}>" for name, u in self._uploads.items()})
        return values

    def has(self, name: str) -> bool:
        """True when the call carries this parameter, or a file under its name."""
        return self._values.get(name) is not None or name in self._uploads

    def get_str(self, name: str) -> str | None:
        """A string parameter, or None."""
        value = self._values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def require_str(self, name: str) -> str:
        """A string parameter that must be there: 400 "<name> is empty" otherwise."""
        value = self.get_str(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def get_int(self, name: str) -> int | None:
        """An integer parameter, from a number or its digits, or None."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def require_int(self, name: str) -> int:
        """An integer parameter that must be there."""
        value = self.get_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def get_float(self, name: str) -> float | None:
        """A number parameter (timeouts)."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        """A boolean parameter; missing is False."""
        value = self._values.get(name)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad_request(f"invalid {name} specified")

    def get_json(self, name: str) -> Any:
        """An object or array parameter, decoded when it came as a JSON string."""
        value = self._values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                what = "reply keyboard markup" if name == "reply_markup" else name
                raise bad_request(f"can't parse {what} JSON object") from None
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat id: an integer, or an "@username" string."""
        value = self._values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, str) and value.startswith("@"):
            return value
        return self.require_int(name)

    def get_file(self, name: str) -> str | Upload | None:
        """A file parameter: an upload (also via "attach://x"), or a file_id / URL string."""
        if name in self._uploads:
            return self._uploads[name]
        value = self._values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = self._uploads.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f"can't find attached file {value!r}")
            return attached
        return None if value is None else str(value)
