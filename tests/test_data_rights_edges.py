"""The worker's data rights at their edges (issue 13 review): a correction while the main system
answers, a NIK corrected in place, registering again after asking for deletion, a deletion while
an export is written, and a WhatsApp chat deleted to the last trace."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import bot.staff.exports as export_module
from bot.service import ConversationService
from bot.staff.exports import ExportFailed, NothingToExport
from bot.staff.imports import import_file
from conversations import Incoming, Kind, default_rules
from storage import Database
from storage import whatsapp as book
from tests.conftest import NOW
from tests.flowchat import NIK_SITI
from tests.seed import everything
from tests.test_data_rights import registered
from tests.test_exports import read_csv, run
from tests.test_service import GOLDEN, User


# --- correct after acceptance ---
async def test_an_accepted_registration_is_not_changed_from_a_summary_reopened_before(
    service: ConversationService, db: Database, tmp_path: Path
) -> None:
    user = await registered(service, "501", channel="telegram")
    await run(db, tmp_path / "a")
    assert "Ini pendaftaran Anda" in await user.send("text", "ubah data")
    await user.send("choice", "edit")
    await user.send("choice", "name")
    await user.send("text", "Siti Aminah Lestari")  # back at the summary, not yet confirmed
    [reg] = await db.fetch_all("SELECT reference, nik FROM registrations")
    path = tmp_path / "hasil.csv"
    path.write_text(f"reference,nik,result,kpj\n{reg['reference']},{reg['nik']},accepted,KPJ-1\n")
    await import_file(db, path, "t", NOW, default_rules())  # the main system accepted it
    await user.send("choice", "ok")  # the worker confirms, later
    [after] = await db.fetch_all("SELECT full_name, revision FROM registrations")
    assert (after["full_name"], after["revision"]) == ("Siti Aminah", 1), dict(after)


# --- correct nik duplicates ---
TYPO = "3372055708800001"  # what the golden path registers
RIGHT = "3372055708800002"  # the worker's real NIK (last digit mistyped)


async def test_correcting_the_nik_updates_the_same_registration(
    service: ConversationService, db: Database, tmp_path: Path
) -> None:
    user = await registered(service, "501", channel="telegram")
    await run(db, tmp_path / "a")  # sent to the main system, no answer yet
    reopened = await user.send("text", "ubah data")
    assert "Ini pendaftaran Anda" in reopened
    await user.send("choice", "edit")
    await user.send("choice", "nik")
    await user.send("text", RIGHT)
    await user.send("choice", "yes")  # birth date and gender as the NIK says
    done = await user.send("choice", "ok")
    assert "Data Anda diterima" in done
    rows = await db.fetch_all("SELECT reference, nik, revision FROM registrations")
    second = read_csv((await run(db, tmp_path / "b")).path)
    assert [r["nik"] for r in rows] == [RIGHT], [dict(r) for r in rows]
    assert [r["revision"] for r in second] == ["2"]


# --- reregister after erase ---
async def test_registering_again_after_withdrawing_consent_is_not_a_deletion(
    service: ConversationService, db: Database, tmp_path: Path
) -> None:
    user = await registered(service, "501", channel="telegram")
    await run(db, tmp_path / "a")
    await user.send("text", "hapus data")
    await user.send("choice", "yes")
    await user.send("choice", "new")  # "Mulai lagi": registers again
    await user.run(GOLDEN[:4])
    await user.send("text", NIK_SITI)
    await user.send("choice", "upd")  # "Perbarui data": the NIK is theirs, from this chat
    done = await user.run(GOLDEN[5:])
    assert "Data Anda diterima" in done
    [reg] = await db.fetch_all("SELECT reference, nik, erasure_requested_at FROM registrations")
    [exported] = read_csv((await run(db, tmp_path / "b")).path)
    assert exported["erasure_requested_at"] == "", "the new registration goes out as a deletion"
    assert reg["erasure_requested_at"] is None
    open_requests = await db.fetch_all("SELECT 1 FROM data_requests WHERE handled_at IS NULL")
    assert open_requests == [], "staff are still asked to pass on the deletion"
    path = tmp_path / "hasil.csv"
    path.write_text(f"reference,nik,result,kpj\n{reg['reference']},{reg['nik']},accepted,KPJ-1\n")
    await import_file(db, path, "t", NOW, default_rules())
    assert await db.fetch_all("SELECT 1 FROM outbox") != [], "the acceptance is never told"


# --- erase during export ---
async def test_a_deletion_while_the_export_is_written_is_never_published(
    service: ConversationService,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = await registered(service, "501", channel="telegram")
    await user.send("text", "hapus data")  # asked; the "Ya, hapus" comes mid-export

    written, answered = threading.Event(), threading.Event()
    real_write = export_module.write_file

    def slow_write(*args: object, **kwargs: object) -> object:
        result = real_write(*args, **kwargs)
        written.set()
        answered.wait(10)  # a big file takes a while; the worker answers meanwhile
        return result

    monkeypatch.setattr(export_module, "write_file", slow_write)
    out = tmp_path / "a"
    exporting = asyncio.create_task(run(db, out))
    await asyncio.get_running_loop().run_in_executor(None, written.wait, 10)
    done = await user.send("choice", "yes")
    answered.set()
    with pytest.raises(ExportFailed, match="deleted their data while the file was written"):
        await exporting
    # the file holding them never gets its name, and nothing is recorded as exported
    assert "data Anda sudah dihapus" in done
    assert list((out / "out").iterdir()) == []
    assert await db.fetch_all("SELECT 1 FROM export_items") == []
    assert NIK_SITI not in "".join(
        str(tuple(r)) for r in await db.fetch_all("SELECT * FROM registrations")
    )
    with pytest.raises(NothingToExport):  # the next export goes without them
        await run(db, tmp_path / "b")


# --- whatsapp erase keeps number ---
ZONE = ZoneInfo("Asia/Jakarta")


class WhatsAppUser(User):
    def message(self, kind: str, value: str = "", message_id: str | None = None) -> Incoming:
        incoming = super().message(kind, value, message_id)  # ids as Meta's: no number in them
        return Incoming(
            incoming.channel,
            incoming.user_key,
            f"wamid.HBgL{self.n:04d}",
            Kind(kind),
            text=incoming.text,
            choice=incoming.choice,
            payload=incoming.payload,
        )


async def test_nothing_of_an_unsent_registration_remains_after_hapus_data(
    db: Database,
) -> None:
    service = ConversationService(db, default_rules(), ZONE, clock=lambda: NOW)
    contact = await db.run(lambda c: book.identify(c, "6281234567890", None, NOW))
    user = WhatsAppUser(service, contact.key, "whatsapp")
    await user.send("open")
    await user.run(GOLDEN)  # registers 0812 3456 7890, the number it writes from
    await user.send("choice", "no")
    await user.send("text", "hapus data")
    done = await user.send("choice", "yes")
    assert "data Anda sudah dihapus" in done
    left = [line for line in (await everything(db)).splitlines() if "81234567890" in line]
    assert left == [], left
