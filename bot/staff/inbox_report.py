"""`bpu-bot inbox`: webhooks set aside because they could not be processed.

Their bodies hold personal data, so only what a programmer needs to start looking is shown:
when, which channel, how big, and why.
"""

from __future__ import annotations

from typing import TextIO

from storage import Database, webhook_inbox


async def show(db: Database, out: TextIO) -> int:
    async with db.reading() as conn:
        kept = await conn.execute_fetchall(webhook_inbox.listing(db.dialect))
    rows = [webhook_inbox.SetAside(*row) for row in kept]
    if not rows:
        print("nothing set aside", file=out)
        return 0
    for r in rows:
        print(
            f"{r.id:6}  {r.channel:8}  received {r.received_at}  set aside {r.set_aside_at}  "
            f"{r.size} bytes  {r.error}",
            file=out,
        )
    print(f"{len(rows)} webhook(s) set aside: they stay in the webhook_inbox table", file=out)
    return 0
