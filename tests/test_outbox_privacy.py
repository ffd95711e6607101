"""What an import and the outbox keep (issue 13 review): a console upload that is not an XLSX,
and a sent message that keeps no name or KPJ."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.staff.imports import import_file
from conversations import default_rules
from tests.conftest import NOW
from tests.console_app import csrf_of
from tests.test_console_rules import world  # noqa: F401 (a fixture)


async def test_an_upload_named_xlsx_that_is_not_one_is_refused_not_a_server_error(
    world,  # noqa: F811
) -> None:
    admin = await world.client("staff", world.ids["admin"])
    tok = await csrf_of(admin, "/staff/impor")
    form = aiohttp.FormData()
    form.add_field("csrf", tok)
    form.add_field("file", b"referensi;nik\n", filename="hasil.xlsx", content_type="text/csv")
    response = await admin.post("/staff/impor", data=form)
    await admin.close()
    assert response.status == 400


async def test_a_sent_message_does_not_keep_the_name_and_kpj_forever(tmp_path: Path) -> None:
    """The outbox keeps every sent text (a family member's or assisted worker's name, the KPJ,
    the rejection reason) with no end, unlike inbound_messages (storage/inbound.py KEEP_FOR)."""
    import sqlite3

    from bot.channels.outbox import send_due
    from tests.test_outbox import ASSISTED, Told, seeded

    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        path = tmp_path / "a.csv"
        path.write_text(
            f"reference,nik,result,kpj\n{ASSISTED.reference},{ASSISTED.nik},accepted,KPJ-1002\n"
        )
        await import_file(db, path, "t", NOW, default_rules())
        await send_due(db, Told(), lambda: NOW)
    finally:
        await db.close()
    with sqlite3.connect(tmp_path / "bpu.sqlite3") as conn:
        [(text,)] = conn.execute("SELECT text FROM outbox WHERE sent_at IS NOT NULL").fetchall()
    assert "Mbah Karto" not in text and "KPJ-1002" not in text
