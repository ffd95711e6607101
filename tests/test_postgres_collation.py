"""A PostgreSQL database with a linguistic collation (what `createdb` gives on a server whose
locale is en_US.UTF-8 or id_ID.UTF-8, or an ICU locale) compares bpu-bot's text bytewise all the
same, as SQLite does: the outbox's key ranges (outbox.about: "remind:REF:" up to "remind:REF;")
find the reminder already queued when the worker types "berhenti". (Found by a review: with the
database's own collation they matched nothing, and the reminder went out.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import psycopg
import pytest

from bot.service import ConversationService
from conversations import Incoming, Kind, Session, default_rules
from storage import Database, registrations, reminders, sessions
from tests.conftest import NOW
from tests.postgres import Databases
from tests.reminder_clock import ZONE
from tests.seed import registration

REG = registration(1, reference="BPU-STOP-0004")
USER = "704"


@pytest.fixture(params=["C.UTF-8", "en-US"])
async def db(request, postgres_databases: Databases) -> AsyncIterator[Database]:
    name = f"bpu_r15_coll_{request.param.replace('.', '_').replace('-', '_').lower()}"
    url = postgres_databases.url(name)
    with psycopg.connect(postgres_databases.server_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        if request.param == "en-US":  # as createdb on an en_US.UTF-8 server (glibc orders alike)
            admin.execute(
                f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu"
                " ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
            )
        else:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 LOCALE 'C.UTF-8'")
    database = await Database.open(url)
    yield database
    await database.close()
    postgres_databases.drop(url)


async def _queued_reminder(db: Database) -> None:
    await db.run(lambda c: registrations.save(c, REG, None, "telegram", USER, "s", NOW))
    await db.run(lambda c: reminders.choose(c, "telegram", USER, REG.reference, True, NOW))
    await db.run(
        lambda c: sessions.save_over(
            c, "telegram", USER,
            Session(id="q", flow_version=1, step="done", reference=REG.reference),
            NOW, stored=None,
        )
    )  # fmt: skip
    [(registration_id,)] = await db.fetch_all("SELECT id FROM registrations")
    item = reminders.Queued(
        registration_id, REG.reference, NOW.date().replace(day=1, month=12), "telegram", USER,
        "Pengingat: iuran Desember", "payment_reminder", (),
    )  # fmt: skip
    assert await db.run(lambda c: reminders.queue(c, [item], NOW, timedelta(days=7))) == 1


async def test_berhenti_drops_the_reminder_already_queued(db: Database) -> None:
    await _queued_reminder(db)
    service = ConversationService(db, default_rules(), ZONE, clock=lambda: NOW)
    replies = await service.handle(Incoming("telegram", USER, "m1", Kind.TEXT, "BERHENTI"))
    assert "dihentikan" in replies[0].text
    rows = await db.fetch_all("SELECT dedupe, given_up FROM outbox WHERE sent_at IS NULL")
    # the queued reminder must not be sent after the worker said stop
    assert [(d, g is not None) for d, g in rows] == [(f"remind:{REG.reference}:2026-12", True)]
