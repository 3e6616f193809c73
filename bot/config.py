"""Settings read from the environment (prefix ``BLOCBOT_``) and from ``.env``.

A value that is not accepted stops the program before it starts: ``problems`` names each such
variable, its value and what it accepts (``ACCEPTED``), for the command line to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.i18n import DEFAULT_LOCALE, LOCALES, N_

ENV_PREFIX = "BLOCBOT_"
PLATFORMS = ("telegram", "zalo")  # the platforms an operator can be named on
# never echoed back
SECRETS = frozenset({"telegram_token", "zalo_token", "webhook_secret", "s3_secret_key"})
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_USERNAME = re.compile(r"@?[A-Za-z][A-Za-z0-9_]{3,31}")
# Both platforms take a secret of 8-256 characters; Telegram only these.
_SECRET = re.compile(r"[A-Za-z0-9_-]{8,256}")
S3_SCHEME = "s3://"
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")  # S3's rule for bucket names
_REGION = re.compile(r"[a-z0-9-]{1,64}")
_REPLICA = re.compile(r"[A-Za-z0-9._:@-]{1,50}")
# An SQLAlchemy URL as SQLAlchemy reads it (``sqlalchemy.engine.url``), without loading it:
# every command checks the settings, ``blocbot --version`` included.
_DATABASE_URL = re.compile(
    r"""(?P<driver>[\w+]+)://
    (?:(?P<user>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[[^/?]+\]|[^/:?]+)?(?::(?P<port>[^/?]*))?)?
    (?:/[^?]*)?(?:\?.*)?""",
    re.X | re.S,
)

# What each setting accepts, in the words of the line that reports a bad value.
ACCEPTED = {
    "database_url": N_(
        "an SQLAlchemy async URL: sqlite+aiosqlite:///FILE.db or "
        "postgresql+asyncpg://USER@HOST:5432/DATABASE"
    ),
    "database_pool": N_("a whole number of connections, 1 or more"),
    "telegram_token": N_("the bot token from @BotFather, like 123456789:AAF..."),
    "telegram_base_url": N_("an http:// or https:// address, like https://api.telegram.org/bot"),
    "telegram_bot_username": N_("a Telegram username of 5 to 32 letters, digits or _"),
    "timezone": N_("a time zone name like Asia/Ho_Chi_Minh"),
    "locale": N_("vi or en"),
    "operators": N_("a comma list of PLATFORM:ID like telegram:123,zalo:abc (telegram or zalo)"),
    "outbox_rate": N_("a number of messages per second, 0 or more (0: no limit)"),
    "outbox_chat_interval": N_("a number of seconds, 0 or more"),
    "outbox_group_per_minute": N_("a whole number of messages, 0 or more (0: no limit)"),
    "outbox_concurrency": N_("a whole number, 1 or more"),
    "outbox_lease": N_("a number of seconds above 0"),
    "telegram_polling": N_("true or false"),
    "zalo_token": N_("the bot token from Zalo Bot Manager, like 12345689:abc-xyz"),
    "zalo_base_url": N_(
        "an http:// or https:// address, like https://bot-api.zaloplatforms.com/bot"
    ),
    "zalo_outbox_rate": N_("a number of messages per second, 0 or more (0: no limit)"),
    "zalo_outbox_chat_interval": N_("a number of seconds, 0 or more"),
    "zalo_outbox_group_per_minute": N_("a whole number of messages, 0 or more (0: no limit)"),
    "webhook_url": N_("the public https:// address of this server, like https://bot.example.vn"),
    "webhook_secret": N_("8 to 256 letters, digits, _ or -"),
    "public_url": N_(
        "the public https:// address at which this server is reached, like https://bot.example.vn"
    ),
    "inbox_lease": N_("a number of seconds above 0"),
    "inbox_concurrency": N_("a whole number, 1 or more"),
    "render_niceness": N_("a whole number from 0 (the bot's own priority) to 19 (the lowest)"),
    "listen": N_("HOST:PORT to listen on, like 127.0.0.1:8080 or 0.0.0.0:8080"),
    "files": N_(
        "a folder for the files the bot keeps, like files or /var/lib/blocbot/files, "
        "or an S3 bucket, like s3://blocbot/files"
    ),
    "s3_endpoint": N_("an http:// or https:// address of the S3 server, like http://minio:9000"),
    "s3_region": N_("an S3 region name, like us-east-1"),
    "link_lifetime": N_("a number of seconds above 0, like 604800 (7 days)"),
    "templates": N_(
        "a folder that exists, holding the papers' templates bien-ban.docx and to-trinh.docx "
        "(the English ones in en/), like /etc/blocbot/templates"
    ),
    "replica_name": N_("1 to 50 letters, digits, . _ : @ or -, like blocbot-1"),
}


def _operator_pairs(value: Any) -> Any:
    """``telegram:123, zalo:abc`` as its (platform, user id) pairs; other values as they are."""
    if not isinstance(value, str):
        return value
    pairs = set()
    for item in filter(None, (part.strip() for part in value.split(","))):
        platform, colon, user = item.partition(":")
        if platform not in PLATFORMS or not colon or not user or " " in user:
            raise ValueError(f"{item!r} is not PLATFORM:ID")
        pairs.add((platform, user))
    return frozenset(pairs)


# BLOCBOT_OPERATORS: a comma list, not JSON (NoDecode), read by _operator_pairs.
Operators = Annotated[frozenset[tuple[str, str]], NoDecode, BeforeValidator(_operator_pairs)]


class Settings(BaseSettings):
    """Every setting of blocbot; see the README for what each one means."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///blocbot.db"
    # PostgreSQL connections this process keeps: the units of work open at once (one per
    # update being handled); the others wait for one in turn.
    database_pool: Annotated[int, Field(ge=1)] = 20
    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    locale: str = DEFAULT_LOCALE
    operators: Operators = frozenset()  # (platform, user id) pairs
    # The outbox dispatcher (per platform; 0 switches a limit off).
    outbox_rate: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 25.0  # messages/s in all
    outbox_chat_interval: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 1.0  # s, one chat
    outbox_group_per_minute: Annotated[int, Field(ge=0)] = 20  # messages per minute to a group
    outbox_concurrency: Annotated[int, Field(ge=1)] = (
        16  # in flight; a crash repeats at most these
    )
    outbox_lease: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 30.0  # s a claim is held
    telegram_polling: bool = True  # False: a send-only replica that reads no updates
    zalo_token: SecretStr | None = None
    zalo_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    # Zalo publishes no limits: half of Telegram's, so that a busy bloc is never throttled.
    zalo_outbox_rate: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 10.0
    zalo_outbox_chat_interval: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 1.0
    zalo_outbox_group_per_minute: Annotated[int, Field(ge=0)] = 10
    webhook_url: str | None = None  # set: webhook mode; unset: long polling
    webhook_secret: SecretStr | None = None
    # where people and platforms reach the web server (links); unset: the webhook address
    public_url: str | None = None
    # Webhook mode: the inbox every replica takes updates from.
    # s a claim holds after its replica stops renewing it (it renews every third of that)
    inbox_lease: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 30.0
    inbox_concurrency: Annotated[int, Field(ge=1)] = 32  # updates one replica handles at once
    # how much lower than the bot's the priority of the process that draws the files is
    render_niceness: Annotated[int, Field(ge=0, le=19)] = 10
    listen: str = "127.0.0.1:8080"
    files: str = "files"  # the folder of kept files (evidence, exports), or s3://bucket/prefix
    s3_endpoint: str | None = None  # with files=s3://...: the S3 server; unset: AWS
    s3_region: str = "us-east-1"
    s3_access_key: str | None = None  # unset: botocore's own chain (environment, role)
    s3_secret_key: SecretStr | None = None
    # s a download link of a file sent on Zalo works (7 days)
    link_lifetime: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 7 * 24 * 3600.0
    # a folder whose bien-ban.docx, to-trinh.docx (en/…) replace the shipped templates
    templates: Path | None = None

    @field_validator("templates", mode="before")
    @classmethod
    def _templates_folder(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip() or None
        if value is not None and not Path(value).is_dir():
            raise ValueError("not a folder that exists")
        return value

    # How /healthz, /metrics and the log name this process among the replicas (HOST:PID).
    replica_name: str | None = None

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        url = _DATABASE_URL.fullmatch(value.strip())
        if url is None or not (url["port"] or "0").isdigit():
            raise ValueError("not an SQLAlchemy URL")
        driver = url["driver"]
        if driver.split("+")[0] != "sqlite" and driver != "postgresql+asyncpg":
            raise ValueError("only SQLite and PostgreSQL through asyncpg are supported")
        return value.strip()

    @field_validator(
        "telegram_token",
        "telegram_bot_username",
        "zalo_token",
        "webhook_url",
        "webhook_secret",
        "public_url",
        "s3_endpoint",
        "s3_access_key",
        "s3_secret_key",
        "replica_name",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("not a Telegram bot token")
        return value

    @field_validator("zalo_token")
    @classmethod
    def _zalo_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("not a Zalo bot token")
        return value

    @field_validator("webhook_url", "public_url", "s3_endpoint")
    @classmethod
    def _public_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("not an http(s) address")
        return value.rstrip("/")

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("not 8 to 256 letters, digits, _ or -")
        return value

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        parse_listen(value)
        return value.strip()

    @field_validator("files")
    @classmethod
    def _folder(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("an empty folder name")
        if value.strip().startswith(S3_SCHEME) and s3_location(value) is None:
            raise ValueError("an S3 location is s3://BUCKET or s3://BUCKET/PREFIX")
        return value.strip()

    @field_validator("replica_name")
    @classmethod
    def _replica_shape(cls, value: str | None) -> str | None:
        if value is not None and not _REPLICA.fullmatch(value):
            raise ValueError("not 1 to 50 letters, digits, . _ : @ or -")
        return value

    @field_validator("s3_region")
    @classmethod
    def _region_shape(cls, value: str) -> str:
        if not _REGION.fullmatch(value.strip()):
            raise ValueError("not an S3 region name")
        return value.strip()

    @property
    def s3_location(self) -> tuple[str, str] | None:
        """The bucket and key prefix ``files`` names, or None when it names a folder."""
        return s3_location(self.files)

    @model_validator(mode="after")
    def _webhook_has_secret(self) -> Settings:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError("BLOCBOT_WEBHOOK_SECRET is needed with BLOCBOT_WEBHOOK_URL")
        return self

    @property
    def webhook_mode(self) -> bool:
        """Updates arrive at the web server (True) rather than by long polling."""
        return self.webhook_url is not None

    @field_validator("telegram_bot_username")
    @classmethod
    def _username_shape(cls, value: str | None) -> str | None:
        if value is not None and not _USERNAME.fullmatch(value):
            raise ValueError("not a Telegram username")
        return value

    @field_validator("telegram_base_url", "zalo_base_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("not an http(s) address")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError("unknown time zone") from None
        return value.strip()

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value.strip() not in LOCALES:
            raise ValueError("BLOCBOT_LOCALE must be vi or en")
        return value.strip()

    def operator_ids(self) -> frozenset[tuple[str, str]]:
        """The (platform, user id) pairs named in BLOCBOT_OPERATORS."""
        return self.operators


def s3_location(files: str) -> tuple[str, str] | None:
    """``s3://bucket/some/prefix`` as ("bucket", "some/prefix"); None for a folder or an S3
    address without a bucket."""
    if not files.startswith(S3_SCHEME):
        return None
    bucket, _, prefix = files.removeprefix(S3_SCHEME).partition("/")
    if not _BUCKET.fullmatch(bucket):
        return None
    return bucket, prefix.strip("/")


def parse_listen(listen: str) -> tuple[str | None, int]:
    """``host:port`` (``:port`` or a bare port: every interface; ``[::1]:port`` for IPv6)."""
    host, colon, port = listen.strip().rpartition(":")
    if not colon:
        host = ""
    host = host.strip().removeprefix("[").removesuffix("]")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"listen address must look like 127.0.0.1:8080, not {listen!r}")
    return host or None, int(port)


@dataclass(frozen=True)
class SettingProblem:
    """A setting whose value is not accepted."""

    variable: str  # BLOCBOT_OUTBOX_RATE
    value: str  # as given; empty for a secret
    accepted: str  # a message id of ACCEPTED
    secret: bool = False
    missing: bool = False  # not set, though another setting needs it


def problems(error: ValidationError) -> list[SettingProblem]:
    """The settings that ``error`` refused, one each, in the order of the fields."""
    refused: dict[str, Any] = {}
    missing = set()
    for item in error.errors():
        if item["loc"]:
            refused.setdefault(str(item["loc"][0]), item.get("input"))
        else:  # the one rule across settings: a webhook needs its secret
            refused.setdefault("webhook_secret", "")
            missing.add("webhook_secret")
    order = list(Settings.model_fields)
    return [
        SettingProblem(
            variable=ENV_PREFIX + name.upper(),
            value="" if name in SECRETS else _shown(name, value),
            accepted=ACCEPTED.get(name, ""),
            secret=name in SECRETS,
            missing=name in missing,
        )
        for name, value in sorted(
            refused.items(), key=lambda pair: order.index(pair[0]) if pair[0] in order else 99
        )
    ]


def _shown(name: str, value: Any) -> str:
    """The value as given, a database password masked."""
    if name == "database_url" and isinstance(value, str):
        url = _DATABASE_URL.fullmatch(value.strip())
        if url is not None and url["password"] is not None:
            start, end = url.span("password")
            return value.strip()[:start] + "***" + value.strip()[end:]
    return str(value)


class _LocaleOnly(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    locale: str = DEFAULT_LOCALE


def chosen_locale() -> str:
    """The language BLOCBOT_LOCALE asks for, or Vietnamese when it is not one we speak.

    Read apart from the other settings, so that the command line can say in that language what
    is wrong with them.
    """
    try:
        locale = _LocaleOnly().locale.strip()
    except ValidationError:
        return DEFAULT_LOCALE
    return locale if locale in LOCALES else DEFAULT_LOCALE


def revealed(secret: SecretStr | None) -> str:
    """The value of a secret setting, for where it is needed raw; empty when it is not set."""
    return "" if secret is None else secret.get_secret_value()
