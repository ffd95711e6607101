"""The outbox as the review of issue 13 tried it: a rejection superseded by the acceptance, the
same rows in other bytes, two senders at once and a slow one, a payment row before its
acceptance."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.channels.outbox import send_due
from bot.staff.imports import import_file
from conversations import default_rules
from tests.conftest import NOW
from tests.test_outbox import OWN, Told, queued, seeded

HEADER = "reference,nik,result,kpj,reason\n"


async def imp(db, path: Path, text: str, newline: str = "\n") -> None:
    path.write_bytes((HEADER + text).replace("\n", newline).encode())
    await import_file(db, path, "t", NOW, default_rules())


async def test_a_rejection_not_yet_sent_is_not_sent_after_the_acceptance(tmp_path: Path) -> None:
    """Rejected in the evening file (queued: night), accepted in the morning file: the worker
    must not get "not accepted, don't pay" next to (or after) "accepted"."""
    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        await imp(db, tmp_path / "a.csv", f"{OWN.reference},{OWN.nik},rejected,,Data ganda\n")
        await imp(db, tmp_path / "b.csv", f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n")
        told = Told()
        await send_due(db, told, lambda: NOW)
        texts = [t for _, _, t in told.sent]
        assert len(texts) == 1 and "KPJ-1001" in texts[0], texts
    finally:
        await db.close()


async def test_same_rows_other_bytes_do_not_tell_twice(tmp_path: Path) -> None:
    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        rows = f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n"
        await imp(db, tmp_path / "lf.csv", rows)
        await imp(db, tmp_path / "crlf.csv", rows, "\r\n")
        await imp(db, tmp_path / "lower.csv", rows.lower().replace("kpj-1001", "KPJ-1001"))
        assert len(queued(tmp_path / "bpu.sqlite3")) == 1
    finally:
        await db.close()


async def test_two_senders_send_each_message_once(tmp_path: Path) -> None:
    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        await imp(db, tmp_path / "a.csv", f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n")
        told = Told()
        await asyncio.gather(send_due(db, told, lambda: NOW), send_due(db, told, lambda: NOW))
        assert len(told.sent) == 1
    finally:
        await db.close()


async def test_paid_row_before_accept_row_in_one_file(tmp_path: Path) -> None:
    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        path = tmp_path / "h.csv"
        path.write_text(
            "reference,nik,result,kpj,paid_until\n"
            f"{OWN.reference},{OWN.nik},,,2026-12\n"
            f"{OWN.reference},{OWN.nik},accepted,KPJ-1,\n"
        )
        batch, _ = await import_file(db, path, "t", NOW, default_rules())
        assert batch.problems == [], batch.problems
    finally:
        await db.close()


async def test_a_slow_sender_and_a_second_sender_do_not_both_send_a_batch(tmp_path: Path) -> None:
    """serve and telegram run on one database. Sender A claims a batch and its channel is slow
    (GraphClient: 20 s timeout x 4 attempts a message); after LEASE (2 min) sender B takes the
    same rows and sends them; A, unblocked, sends them again and marks them sent: no crash, yet
    every message of the batch twice."""
    from tests.test_outbox import ASSISTED

    db = await seeded(tmp_path / "bpu.sqlite3")
    try:
        await imp(
            db,
            tmp_path / "a.csv",
            f"{OWN.reference},{OWN.nik},accepted,KPJ-1001,\n"
            f"{ASSISTED.reference},{ASSISTED.nik},accepted,KPJ-1002,\n",
        )
        sent: list[str] = []
        gate = asyncio.Event()

        async def slow(channel, user_key, text, *rest) -> bool:
            await gate.wait()
            sent.append(user_key)
            return True

        async def fast(channel, user_key, text, *rest) -> bool:
            sent.append(user_key)
            return True

        a = asyncio.create_task(send_due(db, slow, lambda: NOW))
        await asyncio.sleep(0.2)  # A has claimed both and waits on the channel
        await send_due(db, fast, lambda: NOW + timedelta(minutes=3))
        gate.set()
        await a
        assert sorted(sent) == ["501", "800"], sent
    finally:
        await db.close()
