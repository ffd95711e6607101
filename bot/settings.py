"""Settings from the environment (prefix BPU_) or a .env file in the working directory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Refused(Exception):
    """A command cannot start as things are (another process polls the bot...): one line for
    the operator, who must act."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BPU_", env_file=".env", extra="ignore", populate_by_name=True
    )

    db_path: Path = Path("bpu-bot.sqlite3")
    """The SQLite database; created with its folder if missing."""
    database_url: SecretStr | None = None
    """postgresql://user:password@host:port/name: PostgreSQL instead of the SQLite file, for
    several instances on one database (issue 15). A secret: it may hold the password."""
    timezone: str = "Asia/Jakarta"
    """Dates shown to workers, and the dates discounts change, are in this zone (WIB)."""
    language: Literal["id", "en"] = "id"
    """Language of a new conversation."""
    rules_path: Path | None = None
    """A tariff file to use instead of the packaged conversations/rules.toml."""
    log_level: str = "INFO"
    retention_days: int = Field(30, ge=1)
    """What was typed in a conversation left unfinished this many days is deleted (a person
    never registered: the whole conversation)."""

    # --- Telegram -------------------------------------------------------------------------------
    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "BPU_TELEGRAM_BOT_TOKEN")
    )
    """From BotFather. The only setting `bpu-bot telegram` needs."""
    telegram_api_url: str = Field(
        "https://api.telegram.org",
        validation_alias=AliasChoices("TELEGRAM_API_URL", "BPU_TELEGRAM_API_URL"),
    )
    """Bot API server: Telegram's, a self-hosted one, or a test server."""
    telegram_webhook_url: str | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_URL", "BPU_TELEGRAM_WEBHOOK_URL")
    )
    """Public HTTPS address of this server (without the path) for `bpu-bot serve`."""
    telegram_webhook_secret: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("TELEGRAM_WEBHOOK_SECRET", "BPU_TELEGRAM_WEBHOOK_SECRET"),
    )
    """Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; requests without it get 403."""
    telegram_rate_limit: bool = True
    """Throttle outgoing messages to Telegram's limits (off only in tests)."""
    telegram_bot_username: str | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_USERNAME", "BPU_TELEGRAM_BOT_USERNAME")
    )
    """The bot's @username, for campaign links (t.me/<username>?start=<code>)."""
    whatsapp_number: str | None = None
    """The WhatsApp business number campaign links open (wa.me/<number>), e.g. 6281100001111."""

    # --- WhatsApp Cloud API -------------------------------------------------------------------
    whatsapp_access_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("WHATSAPP_ACCESS_TOKEN", "BPU_WHATSAPP_ACCESS_TOKEN")
    )
    """A permanent (system user) access token with whatsapp_business_messaging permission."""
    whatsapp_phone_number_id: str | None = Field(
        None,
        validation_alias=AliasChoices("WHATSAPP_PHONE_NUMBER_ID", "BPU_WHATSAPP_PHONE_NUMBER_ID"),
    )
    """The id of the business phone number (not the number itself), from the app dashboard."""
    whatsapp_app_secret: SecretStr | None = Field(
        None, validation_alias=AliasChoices("WHATSAPP_APP_SECRET", "BPU_WHATSAPP_APP_SECRET")
    )
    """The Meta app's secret: webhook bodies are signed with it (X-Hub-Signature-256)."""
    whatsapp_verify_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("WHATSAPP_VERIFY_TOKEN", "BPU_WHATSAPP_VERIFY_TOKEN")
    )
    """Any secret string; typed into the dashboard's webhook form as the verify token."""
    whatsapp_api_url: str = Field(
        "https://graph.facebook.com/v23.0",
        validation_alias=AliasChoices("WHATSAPP_API_URL", "BPU_WHATSAPP_API_URL"),
    )
    """Graph API base URL with its version: Meta's, a proxy, or a test server."""

    # --- roles ------------------------------------------------------------------------------------
    staff_telegram_ids: str = ""
    """Comma-separated Telegram user ids that are staff without being added by `bpu-bot staff`."""

    # --- web server (`bpu-bot serve`) -------------------------------------------------------------
    host: str = "0.0.0.0"
    port: int = 8080
    max_connections: int = Field(256, ge=1)
    """Open connections at most; lowered to fit `ulimit -n` (a quarter of it, up to 4096). At
    the limit a new connection closes the oldest one that is idle or still sending its request."""
    header_timeout: float = Field(10.0, gt=0)
    """Seconds a connection may take to send its request line and headers, or stay idle."""
    body_timeout: float = Field(20.0, gt=0)
    """Seconds a request may take to send its body once its headers are in."""
    public_url: str | None = None
    """This server's address as staff open it, e.g. https://bpu.example.id (behind TLS): sign-in
    links point there, and console cookies are Secure when it is https. Default: http://HOST:PORT
    on this machine."""

    @property
    def console_url(self) -> str:
        """The staff console's address, ending in /staff/."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return (self.public_url or f"http://{host}:{self.port}").rstrip("/") + "/staff/"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret_chars(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_\-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("1-256 characters: letters, digits, _ and - (Telegram's rule)")
        return value

    @property
    def whatsapp_ready(self) -> bool:
        return all(
            (
                self.whatsapp_access_token,
                self.whatsapp_phone_number_id,
                self.whatsapp_app_secret,
                self.whatsapp_verify_token,
            )
        )

    @property
    def first_staff(self) -> set[str]:
        return {part.strip() for part in self.staff_telegram_ids.split(",") if part.strip()}

    @property
    def database(self) -> Path | str:
        """What `Database.open` opens: the PostgreSQL URL if set, else the SQLite file."""
        return self.database_url.get_secret_value() if self.database_url else self.db_path

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
