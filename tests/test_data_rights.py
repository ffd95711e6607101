"""The worker's data rights through the chat (issue 13, UU PDP): see what is held (masked),
correct it, withdraw consent and delete it; what the database and the next export hold
afterwards; the requests staff see in the console; and the retention rule for conversations
left unfinished."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.service import ConversationService
from bot.staff.exports import NothingToExport
from bot.staff.imports import import_file
from bot.upkeep import Upkeep
from conversations import default_rules
from storage import Database, data_rights, reminders
from storage import whatsapp as book
from tests import seed
from tests.conftest import NOW
from tests.console_app import csrf_of, make_world
from tests.flowchat import NIK_SITI
from tests.test_exports import read_csv, run
from tests.test_service import GOLDEN, User

ZONE = ZoneInfo("Asia/Jakarta")


async def registered(
    service: ConversationService, key: str = "w1", nik: str = NIK_SITI, channel: str = "test"
) -> User:
    """A worker registered on the golden path, who said no to reminders."""
    user = User(service, key, channel)
    await user.send("open")
    golden = [(kind, nik if value == NIK_SITI else value) for kind, value in GOLDEN]
    await user.run(golden)
    await user.send("choice", "no")  # no reminders
    return user


async def test_a_worker_sees_their_data_masked(service: ConversationService) -> None:
    user = await registered(service)
    text = await user.send("text", "data saya")
    assert "Data Anda yang disimpan di chat ini:" in text
    assert "NIK 3372••••••••0001" in text and NIK_SITI not in text
    assert "HP 0812••••••7890" in text and "Siti Aminah" in text
    assert [o.label for o in user.replies[-1].options] == [
        "Perbaiki data",
        "Hapus data saya",
        "Kembali",
    ]
    back = await user.send("choice", "back")
    assert "Nomor referensi Anda" in back  # where they were


async def test_a_correction_before_the_main_systems_answer_goes_out_in_the_next_export(
    service: ConversationService, db: Database, tmp_path: Path
) -> None:
    user = await registered(service)
    first = await run(db, tmp_path / "a")
    await user.send("text", "ubah data")
    assert "Ini pendaftaran Anda: pilih Ubah data" in user.replies[0].text
    # masked as in "data saya": whoever holds the phone now need not be who registered
    assert "NIK 3372••••••••0001" in user.replies[0].text and NIK_SITI not in user.replies[0].text
    await user.send("choice", "edit")
    await user.send("choice", "name")
    await user.send("text", "Siti Aminah Lestari")
    done = await user.send("choice", "ok")
    assert "Data Anda diterima" in done
    [row] = await db.fetch_all("SELECT full_name, revision FROM registrations")
    assert tuple(row) == ("Siti Aminah Lestari", 2)
    second = await run(db, tmp_path / "b")
    [exported] = read_csv(second.path)
    assert exported["full_name"] == "Siti Aminah Lestari" and exported["revision"] == "2"
    assert [r["full_name"] for r in read_csv(first.path)] == ["Siti Aminah"]  # as it went out


async def test_deleting_before_it_is_sent_leaves_nothing_of_the_worker(
    service: ConversationService, db: Database, tmp_path: Path
) -> None:
    user = await registered(service)
    await user.send("text", "hapus data")
    asked = user.replies[-1].text
    assert asked.startswith("Ini menghapus data: Siti Aminah. Hapus data dan tidak lagi setuju")
    done = await user.send("choice", "yes")
    assert "data Anda sudah dihapus dari chat ini dan tidak kami pakai lagi" in done
    everything = await seed.everything(db)
    for trace in (NIK_SITI, "Siti Aminah", "81234567890", "Jl. Mawar 5"):
        assert trace not in everything, trace
    [session] = await db.fetch_all("SELECT count(*) FROM sessions")
    assert session[0] == 0  # the chat itself: nothing left of it
    assert (await user.send("text", "data saya")).startswith("Halo!")  # a new chat
    assert await user.send("text", "data saya") == "Tidak ada data Anda yang disimpan di chat ini."
    with pytest.raises(NothingToExport):
        await run(db, tmp_path)


async def test_deleting_after_it_was_sent_is_a_request_the_export_carries(
    service: ConversationService, db: Database, tmp_path: Path
) -> None:
    user = await registered(service)
    await run(db, tmp_path / "a")
    await user.send("text", "tarik persetujuan")
    done = await user.send("choice", "yes")
    assert "sudah dikirim ke BPJS Ketenagakerjaan: petugas kami meneruskan permintaan" in done
    [request] = await db.fetch_all("SELECT reference, kind, handled_at FROM data_requests")
    assert request["kind"] == "erase" and request["handled_at"] is None
    [exported] = read_csv((await run(db, tmp_path / "b")).path)
    assert exported["reference"] == request["reference"]
    assert exported["erasure_requested_at"].startswith("2026-11-21T10:00")  # local time
    [session] = await db.fetch_all("SELECT data FROM sessions")
    assert NIK_SITI not in session["data"] and request["reference"] not in session["data"]


async def test_withdrawn_consent_stops_reminders_and_results(
    service: ConversationService, db: Database, tmp_path: Path
) -> None:
    user = await registered(service)
    [reg] = await db.fetch_all("SELECT reference, nik FROM registrations")
    await db.run(lambda c: reminders.choose(c, "test", "w1", reg["reference"], True, NOW))
    await run(db, tmp_path / "a")
    await user.send("text", "hapus data saya")
    await user.send("choice", "yes")
    path = tmp_path / "hasil.csv"
    path.write_text(f"reference,nik,result,kpj\n{reg['reference']},{reg['nik']},accepted,KPJ-1\n")
    await import_file(db, path, "t", NOW, default_rules())
    assert await db.fetch_all("SELECT * FROM outbox") == []
    [wanted] = await db.fetch_all("SELECT wanted FROM reminders")
    assert wanted[0] == 0


async def test_a_correction_after_the_main_systems_answer_is_a_request_for_staff(
    service: ConversationService, db: Database, tmp_path: Path
) -> None:
    user = await registered(service)
    [reg] = await db.fetch_all("SELECT reference, nik FROM registrations")
    path = tmp_path / "hasil.csv"
    path.write_text(f"reference,nik,result,kpj\n{reg['reference']},{reg['nik']},accepted,KPJ-1\n")
    await import_file(db, path, "t", NOW, default_rules())
    asked = await user.send("text", "perbaiki data")
    assert "Data Anda sudah ada di BPJS Ketenagakerjaan. Tulis apa yang salah" in asked
    thanks = await user.send("text", "Nama saya Siti Aminah Lestari, bukan Siti Aminah")
    assert "petugas kami meneruskannya ke BPJS Ketenagakerjaan" in thanks
    [request] = await db.fetch_all("SELECT reference, kind, details FROM data_requests")
    assert tuple(request) == (
        reg["reference"],
        "correct",
        "Nama saya Siti Aminah Lestari, bukan Siti Aminah",
    )


async def test_staff_see_open_requests_and_mark_them_passed_on(tmp_path: Path) -> None:
    world = await make_world(tmp_path)
    try:
        await run(world.db, tmp_path / "a")
        await world.db.run(lambda c: data_rights.erase(c, "telegram", "501", NOW))
        admin = await world.client("staff", world.ids["admin"])
        solo = await world.client("staff", world.ids["solo"])
        page = await (await admin.get("/staff/permintaan")).text()
        assert "BPU-SOLO-0001" in page and "Hapus data" in page
        assert (await solo.get("/staff/permintaan")).status == 403
        tok = await csrf_of(admin, "/staff/permintaan")
        [request] = await world.db.fetch_all("SELECT id FROM data_requests")
        done = await admin.post(f"/staff/permintaan/{request['id']}/selesai", data={"csrf": tok})
        assert "BPU-SOLO-0001" not in await done.text()
        [logged] = await world.db.fetch_all(
            "SELECT actor FROM audit_log WHERE action = 'data_request.handled'"
        )
        assert logged["actor"]
        await admin.close()
        await solo.close()
    finally:
        await world.server.close()
        await world.db.close()


# --- the retention rule ---------------------------------------------------------------------


async def test_a_conversation_left_unfinished_is_forgotten_after_thirty_days(
    service: ConversationService, db: Database
) -> None:
    stranger = User(service, "w9")  # never registered: NIK and name typed, then gone
    await stranger.send("open")
    await stranger.run(GOLDEN[:6])
    family = await registered(service)  # registered, then began a family member's form
    await family.send("text", "daftarkan istri")
    await family.run(GOLDEN[:6])
    upkeep = Upkeep(db, default_rules(), ZONE, keep_unfinished=timedelta(days=30))
    await upkeep(NOW + timedelta(days=29))
    assert len(await db.fetch_all("SELECT 1 FROM sessions")) == 2  # not yet
    await upkeep(NOW + timedelta(days=31))
    [kept] = await db.fetch_all("SELECT user_key, step, data FROM sessions")
    assert kept["user_key"] == "w1" and kept["step"] == "done"
    assert NIK_SITI not in kept["data"] and "Siti" not in kept["data"]
    [reg] = await db.fetch_all("SELECT reference FROM registrations")
    status = await family.send("text", "status")
    assert reg["reference"] in status  # their own registration is still theirs


async def test_an_unregistered_whatsapp_number_is_forgotten_with_its_cancelled_conversation(
    db: Database,
) -> None:
    """Someone who opened the chat from WhatsApp, typed their NIK and cancelled: the form is
    gone at once, their number after 30 days."""
    service = ConversationService(db, default_rules(), ZONE, clock=lambda: NOW)
    contact = await db.run(lambda c: book.identify(c, "6281355550099", None, NOW))
    user = User(service, contact.key, "whatsapp")
    await user.send("open")
    await user.send("text", "batal")
    upkeep = Upkeep(db, default_rules(), ZONE, keep_unfinished=timedelta(days=30))
    await upkeep(NOW + timedelta(days=29))
    assert len(await db.fetch_all("SELECT 1 FROM whatsapp_contacts")) == 1
    await upkeep(NOW + timedelta(days=31))
    assert await db.fetch_all("SELECT 1 FROM whatsapp_contacts") == []
    assert await db.fetch_all("SELECT 1 FROM sessions") == []
