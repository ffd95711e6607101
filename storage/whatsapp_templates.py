"""What Meta says of each WhatsApp template (its status and quality webhooks): a template that
is not approved is not used, and messages that need it wait (bot/channels/messenger.py)."""

from __future__ import annotations

from datetime import datetime

from .sql import AsyncConnection

# Meta's events that stop a template from being sent; any other (APPROVED, REINSTATED,
# UNPAUSED, FLAGGED...) leaves it usable, as does never having heard of it (registered as the
# README says).
STOPPED = ("PAUSED", "DISABLED", "REJECTED", "DELETED", "PENDING_DELETION", "ARCHIVED", "LOCKED")


async def record(
    conn: AsyncConnection,
    name: str,
    language: str,
    now: datetime,
    status: str | None = None,
    quality: str | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO whatsapp_templates (name, language, status, quality, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (name, language) DO UPDATE SET
               status = coalesce(excluded.status, status),
               quality = coalesce(excluded.quality, quality),
               updated_at = excluded.updated_at""",
        (name, language, status, quality, now.isoformat()),
    )


async def usable(conn: AsyncConnection, name: str, language: str) -> bool:
    async with conn.execute(
        "SELECT status FROM whatsapp_templates WHERE name = ? AND language = ?", (name, language)
    ) as cursor:
        row = await cursor.fetchone()
    return (row[0] if row else None) not in STOPPED
