"""The Telegram Bot API over aiohttp: one client per bot, for replies, the outbox and polling.

A call is a POST of JSON (multipart when it uploads a file) on one keep-alive connection pool;
its answer is read as the Bot API's envelope ``{ok, result, error_code, description,
parameters}``, without building python-telegram-bot objects. ``call`` tries once and names the
failure: ``BotApiError`` when Telegram answered and refused (its code, description and
``retry_after``), ``BotApiUnreachable`` when no answer came. ``send`` is the one retry policy of
replies: a flood wait (429) is waited out, server errors (5xx) and lost connections are tried
again after a growing pause, and a refusal (400, 403, ...) is not retried; at most ATTEMPTS
tries. The outbox uses ``call``: its dispatcher keeps the pace and decides about retries.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, TypeGuard

import aiohttp

from bot.channels.reaching import address
from bot.config import Settings
from bot.i18n import _

log = logging.getLogger("bot.channels.telegram")

ATTEMPTS = 4  # tries of one reply: the first and three retries
BACKOFF = 0.5  # seconds before the first retry after a network or server error; doubles each time
LONGEST_WAIT = 60.0  # a flood wait longer than this gives the message up
TIMEOUT = 15.0  # seconds one call may take (beyond a long poll's own wait)
CONNECTIONS = 32  # replies in flight at once; the outbox's own come on top
CONNECT_TIMEOUT = 20.0  # seconds one try to reach Telegram may take (start-up, the username)
_JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Upload:
    """A file a call uploads: its name, bytes and content type."""

    filename: str
    content: bytes
    content_type: str


class BotApiError(Exception):
    """Telegram answered and refused: ``code`` is its error_code (or the HTTP status)."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: float | None = None,
        migrate_to: int | None = None,
    ) -> None:
        super().__init__(f"{code} {description}".strip())
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to = migrate_to

    @property
    def flood(self) -> bool:
        """Too many requests: wait ``retry_after`` seconds."""
        return self.code == 429

    @property
    def server_side(self) -> bool:
        """Telegram (or a proxy before it) failed; the same call may work later."""
        return self.code >= 500

    @property
    def not_modified(self) -> bool:
        """An edit that changes nothing: the message already reads so."""
        return self.code == 400 and "not modified" in self.description.lower()


class BotApiUnreachable(Exception):
    """No answer from Telegram: the network, a timeout, a dropped connection."""


def flood_wait(error: BotApiError) -> float:
    """Seconds to wait after a flood error (a growing pause when Telegram said none)."""
    return error.retry_after if error.retry_after is not None else BACKOFF


class BotApi:
    """Calls ``{base_url}{token}/{method}`` on a pool of ``connections`` kept-alive ones."""

    def __init__(self, token: str, base_url: str, connections: int = CONNECTIONS) -> None:
        self._url = f"{base_url}{token}/"
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The open session (``open()`` first)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("the Bot API client is not open")
        return self._session

    async def open(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector)

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> BotApi:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def call(
        self,
        method: str,
        files: Mapping[str, Upload] | None = None,
        wait: float = 0.0,
        **params: Any,
    ) -> Any:
        """The ``result`` of one attempt at ``method``; BotApiError when Telegram refuses,
        BotApiUnreachable when it does not answer.

        ``files`` are uploaded under their parameter names; ``wait`` is how long the call
        itself may hold the answer back (a long poll). Parameters that are None are left out.
        """
        params = {name: value for name, value in params.items() if value is not None}
        data: Any
        headers: Mapping[str, str] | None
        if files:
            data, headers = _form(params, files), None
        else:
            data, headers = json.dumps(params, ensure_ascii=False).encode(), _JSON
        timeout = aiohttp.ClientTimeout(total=TIMEOUT + wait)
        try:
            async with self.session.post(
                self._url + method, data=data, headers=headers, timeout=timeout
            ) as response:
                status = response.status
                body = await response.read()
        except TimeoutError as error:
            raise BotApiUnreachable("no answer in time") from error
        except aiohttp.ClientError as error:
            raise BotApiUnreachable(f"{type(error).__name__}: {error}") from error
        return _result(status, body)

    async def send(
        self, method: str, files: Mapping[str, Upload] | None = None, **params: Any
    ) -> Any:
        """``call``, waiting out flood limits and retrying server and network errors with a
        growing pause; a refusal is raised at once. At most ATTEMPTS tries."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self.call(method, files, **params)
            except BotApiError as error:
                last = attempt == ATTEMPTS
                if error.flood:
                    wait = flood_wait(error)
                    if last or wait > LONGEST_WAIT:
                        raise
                    log.info("%s: flood limit, retrying in %.1f s", method, wait)
                    await asyncio.sleep(wait)
                    continue
                if last or not error.server_side:
                    raise
                cause: Exception = error
            except BotApiUnreachable as error:
                if attempt == ATTEMPTS:
                    raise
                cause = error
            pause = BACKOFF * 2 ** (attempt - 1)
            log.info("%s failed (%s): retrying in %.1f s", method, cause, pause)
            await asyncio.sleep(pause)
        raise AssertionError("unreachable")


def _form(params: Mapping[str, Any], files: Mapping[str, Upload]) -> aiohttp.FormData:
    """A multipart body: the parameters as text (objects as JSON), then the files."""
    form = aiohttp.FormData(quote_fields=False)  # file names as they are (UTF-8), like httpx
    for name, value in params.items():
        form.add_field(name, value if isinstance(value, str) else json.dumps(value))
    for name, upload in files.items():
        form.add_field(
            name, upload.content, filename=upload.filename, content_type=upload.content_type
        )
    return form


def _result(status: int, body: bytes) -> Any:
    """The result of an answer, or the refusal it carries (BotApiError)."""
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        envelope = None
    if not isinstance(envelope, dict):  # a proxy's page, a truncated body
        failed = status if status >= 400 else HTTPStatus.BAD_GATEWAY
        raise BotApiError(failed, _phrase(failed))
    if envelope.get("ok") is True and status < 400:
        return envelope.get("result")
    given = envelope.get("error_code")
    code = given if _whole(given) else status if status >= 400 else HTTPStatus.BAD_REQUEST
    description = envelope.get("description")
    if not isinstance(description, str) or not description:
        description = _phrase(code)
    parameters = envelope.get("parameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    retry_after = parameters.get("retry_after")
    migrate_to = parameters.get("migrate_to_chat_id")
    raise BotApiError(
        int(code),
        description,
        float(retry_after) if _number(retry_after) else None,
        migrate_to if _whole(migrate_to) else None,
    )


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return f"HTTP {code}"


# -- reaching Telegram: why it failed, the bot's username ------------------------------------


class TelegramUnavailable(Exception):
    """Telegram could not be reached, or refused the token; the text says which, translated."""


def reason(error: BaseException) -> str:
    """Why a call to Telegram failed, in a few words."""
    if isinstance(error, BotApiError):
        return error.description
    if isinstance(error, TimeoutError):
        return _("no answer in time")
    message = getattr(error, "message", None)  # python-telegram-bot's errors
    if isinstance(message, str) and message:
        return message
    return str(error) or type(error).__name__


def refused(where: str) -> str:
    """What to say when Telegram refuses the token."""
    return _(
        "Telegram at {address} refused the token in BLOCBOT_TELEGRAM_TOKEN; check it with "
        "@BotFather."
    ).format(address=where)


def refuses_token(error: BotApiError) -> bool:
    """Telegram's answer to a token it does not know (401) or a bot that is gone (404)."""
    return error.code in (401, 404)


async def bot_username(settings: Settings) -> str | None:
    """The bot's username: from the settings, or asked from Telegram when a token is set.

    Raises TelegramUnavailable, saying why in one sentence, when Telegram cannot be reached or
    refuses the token.
    """
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if not settings.telegram_token:
        return None
    where = address(settings.telegram_base_url)
    api = BotApi(settings.telegram_token.get_secret_value(), settings.telegram_base_url, 1)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT), api:
            me = await api.call("getMe")
    except BotApiError as error:
        if refuses_token(error):
            raise TelegramUnavailable(refused(where)) from None
        failure: BaseException = error
    except (BotApiUnreachable, TimeoutError, OSError) as error:
        failure = error
    else:
        username = me.get("username") if isinstance(me, dict) else None
        return username if isinstance(username, str) else None
    raise TelegramUnavailable(
        _("Could not reach Telegram at {address} ({reason}) to learn the bot's username.").format(
            address=where, reason=reason(failure)
        )
    ) from None
