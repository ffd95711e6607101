"""On PostgreSQL a message's answer is worked out before its write transaction (issue 15), so
that instances do not wait for each other's CPU work. What it was worked out from may change
before the commit, through another instance: then it is worked out again under the write lock,
and the result is as if the messages had come one after the other."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from conversations import Incoming, Kind
from storage import Database
from tests.conftest import make_service
from tests.flowchat import NIK_SITI
from tests.postgres import Databases
from tests.test_service import GOLDEN, User


@pytest.fixture
async def two(postgres_databases: Databases) -> AsyncIterator[tuple[Database, Database]]:
    """Two instances' databases: the same PostgreSQL database, opened twice."""
    url = postgres_databases.new()
    a, b = await Database.open(url), await Database.open(url)
    assert b.decides_apart
    yield a, b
    await a.close()
    await b.close()
    postgres_databases.drop(url)


def meanwhile(db: Database, race: Callable[[], Awaitable[Any]]) -> None:
    """`db` works out its next answer, then `race` runs (another instance), then it commits."""
    original = db.read

    async def read_then_race(work: Callable[[Any], Any]) -> Any:
        decided = await original(work)
        db.read = original  # once
        await race()
        return decided

    db.read = read_then_race  # type: ignore[method-assign]


async def count(db: Database, sql: str) -> int:
    [(n,)] = await db.fetch_all(sql)
    return n


async def test_the_same_message_through_two_instances_is_answered_once(
    two: tuple[Database, Database],
) -> None:
    a, b = two
    first, second = make_service(a), make_service(b)
    opened = Incoming("test", "w1", "m-1", Kind.OPEN)
    meanwhile(b, lambda: first.handle(opened))
    await second.handle(opened)
    assert await count(a, "SELECT count(*) FROM inbound_messages") == 1
    assert await count(a, "SELECT count(*) FROM funnel_events WHERE stage = 'started'") == 1
    assert await count(a, "SELECT count(*) FROM sessions") == 1


async def test_a_later_message_decided_before_the_earlier_one_committed_follows_it(
    two: tuple[Database, Database],
) -> None:
    a, b = two
    first, second = make_service(a), make_service(b)
    worker = User(first)
    await worker.send("open")
    await worker.run(GOLDEN[:4])  # at the NIK question
    # B decides the name from the session at the NIK question, A commits the NIK meanwhile
    nik = User(first, "w1")
    nik.n, nik.screen = worker.n, worker.screen
    meanwhile(b, lambda: nik.send("text", NIK_SITI))
    name = Incoming("test", "w1", "w1-late", Kind.TEXT, text="Siti Aminah")
    replies = await second.handle(name)
    # answered from the session after the NIK (decided from the one before, it would have been
    # "NIK hanya berisi angka", with the NIK asked again), and the NIK kept
    assert replies[-1].text.endswith("Menurut NIK: lahir 17 Agustus 1980, perempuan. Benar?")
    [(step, data)] = await a.fetch_all("SELECT step, data FROM sessions")
    assert step == "birth_confirm" and NIK_SITI in data


async def test_a_nik_registered_meanwhile_through_another_instance_is_not_registered_twice(
    two: tuple[Database, Database],
) -> None:
    a, b = two
    siti, twin = User(make_service(a), "w1"), User(make_service(b), "w2")
    for user in (siti, twin):
        await user.send("open")
        await user.run(GOLDEN[:-1])  # both at the summary, with the same NIK
    meanwhile(b, lambda: siti.run(GOLDEN[-1:]))  # Siti confirms while the twin's is decided
    said = await twin.run(GOLDEN[-1:])
    assert await count(a, "SELECT count(*) FROM registrations") == 1
    assert "sudah terdaftar lewat layanan ini" in said  # decided again: not a second success
