"""Settings from the environment (prefix BPU_) or a .env file in the working directory."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BPU_", env_file=".env", extra="ignore")

    db_path: Path = Path("bpu-bot.sqlite3")
    """The SQLite database; created with its folder if missing."""
    timezone: str = "Asia/Jakarta"
    """Dates shown to workers, and the dates discounts change, are in this zone (WIB)."""
    language: Literal["id", "en"] = "id"
    """Language of a new conversation."""
    rules_path: Path | None = None
    """A tariff file to use instead of the packaged conversations/rules.toml."""
    log_level: str = "INFO"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
