"""When the PostgreSQL server drops the bot's connections (a restart for a minor upgrade, a
failover, an idle timeout), the bot connects again: the message that found its connection
dropped may be refused ("send it again"), the ones after are saved. (Found by a review: the
writing connection was never opened again, every message refused until the bot restarted.)"""

from __future__ import annotations

import psycopg

from storage import Database
from tests.conftest import make_service
from tests.postgres import Databases
from tests.test_service import User

SORRY = "belum tersimpan"  # "your last message was not saved"


def _drop_connections(url: str) -> None:
    """What a server restart does to a running bot's connections."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid != pg_backend_pid()"
        )


async def test_messages_are_saved_again_after_the_server_dropped_the_connections(
    postgres_databases: Databases,
) -> None:
    url = postgres_databases.new()
    db = await Database.open(url)
    try:
        worker = User(make_service(db))
        first = await worker.send("open")
        assert SORRY not in first
        _drop_connections(url)
        # the first message after may fail; the ones after that must not, the server is up
        await worker.send("text", "pedagang")
        answers = [await worker.send("text", "bantuan") for _ in range(3)]
        assert not any(SORRY in a for a in answers), answers
        [(n,)] = await db.fetch_all("SELECT count(*) FROM inbound_messages")
        assert n >= 4
    finally:
        try:
            await db.close()
        finally:
            postgres_databases.drop(url)
