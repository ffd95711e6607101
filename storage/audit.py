"""The audit log: what staff did (exports, campaign and role changes), by whom and when."""

from __future__ import annotations

import json
from datetime import datetime

from .sql import AsyncConnection


async def record(
    conn: AsyncConnection, actor: str, action: str, detail: dict, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)",
        (now.isoformat(), actor, action, json.dumps(detail, ensure_ascii=False, sort_keys=True)),
    )
