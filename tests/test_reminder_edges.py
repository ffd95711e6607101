"""Payment reminders at their edges (issue 13 review): "berhenti" while a form is open, a payment
imported after a reminder was queued, and the transport discount of a courier registered as
"lainnya"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.channels.outbox import send_due
from bot.channels.reminders import plan_reminders
from bot.service import ConversationService
from bot.staff.imports import import_file
from conversations import default_rules
from storage import Database, registrations, reminders
from tests.conftest import NOW
from tests.seed import registration
from tests.test_service import GOLDEN, User

# --- stop in form ---
ZONE = ZoneInfo("Asia/Jakarta")


async def test_berhenti_stops_reminders_even_with_a_family_form_open(
    service: ConversationService, db: Database, tmp_path: Path
) -> None:
    user = User(service, "701", "telegram")
    await user.send("open")
    await user.run(GOLDEN)
    await user.send("choice", "yes")  # "Ya, ingatkan"
    [reg] = await db.fetch_all("SELECT reference, nik FROM registrations")
    path = tmp_path / "hasil.csv"
    path.write_text(
        "reference,nik,result,kpj,start_date,paid_until,reason\n"
        f"{reg['reference']},{reg['nik']},accepted,KPJ-1,2026-11-01,2026-11,\n"
    )
    await import_file(db, path, "t", NOW, default_rules())
    await user.send("choice", "new")  # "Daftarkan keluarga", then nothing typed
    answer = await user.send("text", "BERHENTI")  # as the reminder says: "Balas BERHENTI"
    print(answer)
    [row] = await db.fetch_all("SELECT wanted FROM reminders")
    assert row["wanted"] == 0, f"reminders still on after BERHENTI; the bot said: {answer!r}"
    queued = await plan_reminders(
        db, default_rules(), datetime(2026, 11, 27, 17, 5, tzinfo=UTC), ZONE
    )
    assert queued == 0


# --- reminder after payment ---
CSV = "reference,nik,result,kpj,start_date,paid_until,reason\n"


async def test_a_reminder_about_a_month_since_recorded_as_paid_is_not_sent(
    db: Database, tmp_path: Path
) -> None:
    rules = default_rules()
    reg = registration(1, reference="BPU-DAGA-0001")
    await db.run(lambda c: registrations.save(c, reg, None, "telegram", "701", "s", NOW))
    await db.run(lambda c: reminders.choose(c, "telegram", "701", reg.reference, True, NOW))
    accepted = tmp_path / "accepted.csv"
    accepted.write_text(CSV + f"{reg.reference},{reg.nik},accepted,KPJ-1,2026-09-01,2026-09,\n")
    await import_file(db, accepted, "t", NOW, rules)

    sent: list[tuple[datetime, str]] = []
    up = False

    async def tell(channel: str, user_key: str, text: str, *template: object) -> bool:
        if up:
            sent.append((now, text))
        return up

    now = NOW
    await send_due(db, tell, lambda: now)  # the acceptance: the channel is down, kept
    midnight = datetime(2026, 11, 27, 17, 5, tzinfo=UTC)  # 00:05 WIB, 28 November
    assert await plan_reminders(db, rules, midnight, ZONE) == 1
    now = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)  # 07:00 WIB: the channel is down
    await send_due(db, tell, lambda: now)
    paid = tmp_path / "paid.csv"
    paid.write_text(CSV + f"{reg.reference},{reg.nik},,,,2026-12,\n")
    await import_file(db, paid, "t", datetime(2026, 11, 28, 2, tzinfo=UTC), rules)  # 09:00
    up, now = True, datetime(2026, 11, 28, 2, 30, tzinfo=UTC) + timedelta(minutes=1)
    await send_due(db, tell, lambda: now)
    reminders_sent = [text for _, text in sent if "Belum tercatat bayar" in text]
    assert reminders_sent == [], reminders_sent


# --- reminder amount courier ---


async def test_a_courier_registered_as_other_work_is_reminded_of_the_transport_price(
    db: Database, tmp_path: Path
) -> None:
    rules = default_rules()
    assert rules.sector_of("lainnya", "kurir paket") == "transport"  # as the bot quoted it
    courier = registration(
        1,
        reference="BPU-KURR-0001",
        occupation="lainnya",
        occupation_detail="kurir paket",
        discount="PP 50/2025 50% until 2027-03-31",
    )
    await db.run(lambda c: registrations.save(c, courier, None, "telegram", "701", "s", NOW))
    await db.run(lambda c: reminders.choose(c, "telegram", "701", courier.reference, True, NOW))
    path = tmp_path / "hasil.csv"
    path.write_text(  # accepted, December paid: January 2027 is next
        "reference,nik,result,kpj,start_date,paid_until,reason\n"
        f"{courier.reference},{courier.nik},accepted,KPJ-1,2026-11-01,2026-12,\n"
    )
    await import_file(db, path, "t", NOW, rules)
    at = datetime(2026, 12, 28, 17, 5, tzinfo=UTC)  # 00:05 WIB, 29 December 2026
    assert await plan_reminders(db, rules, at, ZONE) == 1
    [row] = await db.fetch_all("SELECT text FROM outbox WHERE dedupe LIKE 'remind:%'")
    assert "Januari 2027: Rp13.400" in row["text"], row["text"]
