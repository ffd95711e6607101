"""A paid-until month out of range is refused, never stored (issue 13 review)."""

from __future__ import annotations

from pathlib import Path

from bot.staff.imports import import_file
from conversations import default_rules
from storage import registrations
from tests.conftest import NOW
from tests.test_outbox import OWN, seeded


async def test_a_paid_until_month_out_of_range_is_refused_not_stored(tmp_path: Path) -> None:
    """'0000-05' passes the YYYY-MM check; progress_of then raises on every `status` of the
    worker (date.fromisoformat('0000-05-01')); '2062-05' (a typo) says paid for 36 years."""
    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        path = tmp_path / "a.csv"
        path.write_text(
            "reference,nik,result,kpj,paid_until\n"
            f"{OWN.reference},{OWN.nik},accepted,KPJ-1,0000-05\n"
        )
        batch, _ = await import_file(db, path, "t", NOW, default_rules())
        assert batch.problems, "stored"
        await db.run(lambda c: registrations.progress_of(c, OWN.reference))  # status must work
    finally:
        await db.close()
