"""Stored times are UTC ISO 8601 strings; filters come as local dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def day_start(day: date, zone: ZoneInfo) -> str:
    """The stored form of the first instant of `day` in `zone`."""
    return datetime.combine(day, time(0), zone).astimezone(UTC).isoformat()
