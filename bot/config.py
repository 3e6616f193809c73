"""Settings read from the environment (prefix ``BLOCBOT_``) and from ``.env``."""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of blocbot; see the README for what each one means."""

    model_config = SettingsConfigDict(env_prefix="BLOCBOT_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///blocbot.db"
    telegram_token: str | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str | None = None
    zalo_token: str | None = None
    zalo_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    listen: str = "127.0.0.1:8080"
    timezone: str = "Asia/Ho_Chi_Minh"
    locale: str = "vi"
    operators: str = ""
    # The outbox dispatcher (per platform; 0 switches a limit off).
    outbox_rate: float = 25.0  # messages per second in all
    outbox_chat_interval: float = 1.0  # seconds between two messages to one chat
    outbox_group_per_minute: int = 20  # messages per minute to one group
    outbox_concurrency: int = 16  # sends in flight; a crash may repeat at most these
    outbox_lease: float = 30.0  # seconds a claimed message is held before others retake it
    telegram_polling: bool = True  # False: a send-only replica that reads no updates

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("BLOCBOT_LOCALE must be vi or en")
        return value

    def operator_ids(self) -> frozenset[tuple[str, str]]:
        """The (platform, user id) pairs named in BLOCBOT_OPERATORS."""
        pairs = set()
        for item in self.operators.split(","):
            platform, _, user = item.strip().partition(":")
            if platform and user:
                pairs.add((platform, user))
        return frozenset(pairs)
