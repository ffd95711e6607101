"""Payment reminders (issue 13): three months on a simulated clock. Members who asked get one a
few days before each month, with that month's amount (the traders' discount ends after
December 2026, the transport one after March 2027), a warning before the third unpaid month,
never at night, never two in a week, nothing after "berhenti", after saying no, or for a
registration not accepted; and a kill and restart mid-run loses none and repeats none."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from bot.channels.messenger import Messenger
from bot.channels.whatsapp_api import GraphClient
from bot.service import ConversationService
from bot.staff.imports import import_file
from conversations import Incoming, Kind, Session, default_rules
from conversations.reminders import WEEK, reminder_due
from storage import Database, registrations, reminders, sessions
from storage import whatsapp as book
from tests.conftest import NOW
from tests.fake_graph import PHONE_NUMBER_ID, TOKEN, FakeGraph
from tests.fake_telegram import FakeTelegram
from tests.flowchat import FlowChat, golden, register
from tests.reminder_clock import START, ZONE, tick
from tests.seed import registration

TRADER = registration(1, reference="BPU-DAGA-0001")  # pays nothing after November
PAYER = registration(2, reference="BPU-BAYR-0002")  # pays each month
OJEK = registration(3, reference="BPU-OJEK-0003", occupation="ojek_online")
QUITTER = registration(4, reference="BPU-STOP-0004")  # types "berhenti" on 15 December
DECLINED = registration(5, reference="BPU-TDAK-0005")  # said no when asked
REJECTED = registration(6, reference="BPU-TOLK-0006")  # said yes; the main system rejected it
MEMBERS = (TRADER, PAYER, OJEK, QUITTER, DECLINED, REJECTED)
USER = {reg.reference: str(701 + i) for i, reg in enumerate(MEMBERS)}
WA_ID = "6281355550007"


class Told:
    """The channel: what was sent, to whom, at which (simulated) moment."""

    def __init__(self) -> None:
        self.now = START
        self.sent: list[tuple[datetime, str, str]] = []

    async def __call__(self, channel: str, user_key: str, text: str, *template: object) -> bool:
        self.sent.append((self.now, user_key, text))
        return True

    def reminders(self, reference: str) -> list[tuple[datetime, str]]:
        return [
            (at.astimezone(ZONE), text)
            for at, user, text in self.sent
            if user == USER[reference] and "Kabar baik" not in text and "tidak menerima" not in text
        ]


async def seed(db: Database, rows: str, wanted: dict[str, bool]) -> None:
    for reg in MEMBERS:
        await db.run(
            lambda c, r=reg: registrations.save(c, r, None, "telegram", USER[r.reference], "s", NOW)
        )
        if reg.reference in wanted:
            await db.run(
                lambda c, r=reg: reminders.choose(
                    c, "telegram", USER[r.reference], r.reference, wanted[r.reference], NOW
                )
            )
    await results(db, rows, "accepted.csv", START)


async def results(db: Database, rows: str, name: str, at: datetime) -> None:
    path = Path(db.path).with_name(name)
    path.write_text("reference,nik,result,kpj,start_date,paid_until,reason\n" + rows)
    await import_file(db, path, "t", at, default_rules())


def accepted(*regs: object) -> str:
    return "".join(
        f"{r.reference},{r.nik},accepted,KPJ-{i},2026-11-01,2026-11,\n"  # type: ignore[attr-defined]
        for i, r in enumerate(regs, 1)
    )


def paid(reg: object, month: str) -> str:
    return f"{reg.reference},{reg.nik},,,,{month},\n"  # type: ignore[attr-defined]


async def test_three_months_of_reminders(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bpu.sqlite3")
    told, rules = Told(), default_rules()
    wanted = dict.fromkeys((TRADER, PAYER, OJEK, QUITTER, REJECTED), True) | {DECLINED: False}
    service = ConversationService(db, rules, ZONE, clock=lambda: told.now)
    try:
        rows = accepted(TRADER, PAYER, OJEK, QUITTER, DECLINED)
        rows += f"{REJECTED.reference},{REJECTED.nik},rejected,,,,Data ganda\n"
        await seed(db, rows, {r.reference: w for r, w in wanted.items()})
        await db.run(  # the quitter's chat, finished: registered in November
            lambda c: sessions.save_over(
                c,
                "telegram",
                USER[QUITTER.reference],
                Session(id="q", flow_version=1, step="done", reference=QUITTER.reference),
                NOW,
                stored=None,
            )
        )
        payments = {  # the main system's files, as staff import them
            datetime(2026, 12, 10, 3, tzinfo=UTC): paid(PAYER, "2026-12"),
            datetime(2027, 1, 12, 3, tzinfo=UTC): paid(PAYER, "2027-01"),
            datetime(2027, 2, 11, 3, tzinfo=UTC): paid(PAYER, "2027-02"),
        }
        stop_at = datetime(2026, 12, 15, 5, tzinfo=UTC)
        while told.now < datetime(2027, 3, 10, tzinfo=UTC):
            if told.now in payments:
                await results(db, payments[told.now], f"{told.now:%Y%m%d}.csv", told.now)
            if told.now == stop_at:
                handled = await service.handle(
                    Incoming("telegram", USER[QUITTER.reference], "m1", Kind.TEXT, "BERHENTI")
                )
                assert "Pengingat bayar di chat ini dihentikan" in handled[0].text
            await tick(db, told, rules, told.now)
            told.now += timedelta(hours=1)
    finally:
        await db.close()

    def day(m: int, d: int, y: int = 2026) -> datetime:
        return datetime(y, m, d, 7, tzinfo=ZONE)  # the first daytime hour

    def expect(reference: str, *wanted: tuple[datetime, str, str]) -> None:
        got = told.reminders(reference)
        assert [at for at, _ in got] == [at for at, _, _ in wanted], (reference, got)
        for (_, text), (_, month, amount) in zip(got, wanted, strict=True):
            assert f"{month}: {amount}" in text, (reference, text)

    expect(
        TRADER.reference,
        (day(11, 28), "Desember 2026", "Rp13.400"),
        (day(12, 29), "Januari 2027", "Rp26.800"),  # the traders' discount ended
        (day(1, 29, 2027), "Februari 2027", "Rp26.800"),
    )
    [*_, (_, warning)] = told.reminders(TRADER.reference)
    assert warning.startswith(
        "BPJS Ketenagakerjaan: iuran Desember 2026 dan Januari 2027 belum tercatat dibayar. "
        "Tidak bayar 3 bulan berturut-turut: tidak terlindungi sampai bayar lagi."
    )
    expect(
        PAYER.reference,
        (day(11, 28), "Desember 2026", "Rp13.400"),
        (day(12, 29), "Januari 2027", "Rp26.800"),
        (day(1, 29, 2027), "Februari 2027", "Rp26.800"),
        (day(2, 26, 2027), "Maret 2027", "Rp26.800"),
    )
    assert all("Belum tercatat" not in text for _, text in told.reminders(PAYER.reference))
    expect(
        OJEK.reference,
        (day(11, 28), "Desember 2026", "Rp13.400"),
        (day(12, 29), "Januari 2027", "Rp13.400"),  # transport: discounted until March 2027
        (day(1, 29, 2027), "Februari 2027", "Rp13.400"),
    )
    expect(QUITTER.reference, (day(11, 28), "Desember 2026", "Rp13.400"))
    assert told.reminders(DECLINED.reference) == []
    assert told.reminders(REJECTED.reference) == []
    for at, _, _ in told.sent:
        assert 7 <= at.astimezone(ZONE).hour < 20, at  # never at night
    for reg in MEMBERS:
        times = [at for at, _ in told.reminders(reg.reference)]
        assert all(b - a >= WEEK for a, b in pairwise(times))


def test_the_warning_names_the_third_unpaid_month_and_nothing_follows_it() -> None:
    """Membership is non-active after 3 unpaid months in a row (bpu-facts.md section 1)."""
    paid_nov = date(2026, 11, 1)
    assert reminder_due(date(2026, 11, 27), paid_nov, None, 3) is None  # December is 4 days off
    first = reminder_due(date(2026, 11, 28), paid_nov, None, 3)
    assert first and (first.kind, first.month) == ("due", date(2026, 12, 1))
    last = reminder_due(date(2027, 1, 29), paid_nov, None, 3)
    assert last and last.kind == "last" and last.unpaid == (date(2026, 12, 1), date(2027, 1, 1))
    assert reminder_due(date(2027, 2, 26), paid_nov, None, 3) is None  # non-active: status says
    nothing_paid = reminder_due(date(2026, 11, 20), None, date(2026, 11, 18), 3)
    assert nothing_paid and nothing_paid.month == date(2026, 11, 1)  # the first month is due


async def test_a_kill_and_restart_mid_run_loses_no_reminder_and_repeats_none(
    tmp_path: Path,
) -> None:
    """The clock runs as a process of its own, sending through the real Telegram client to a
    fake Telegram; it is SIGKILLed at random moments and started again, three times."""
    db_path, progress = tmp_path / "bpu.sqlite3", tmp_path / "progress"
    db = await Database.open(db_path)
    try:
        everyone = (TRADER, PAYER, OJEK, QUITTER, DECLINED)
        await seed(db, accepted(*everyone), {r.reference: True for r in everyone})
    finally:
        await db.close()
    fake = FakeTelegram()
    url = await fake.start()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": url}
    args = (str(db_path), str(progress), "2027-02-15T00:00:00+00:00", "1")
    rng, kills = random.Random(13), 0
    try:
        while True:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.reminder_clock", *args, env=env
            )
            if kills < 3:
                try:
                    await asyncio.wait_for(process.wait(), rng.uniform(0.4, 1.5))
                except TimeoutError:
                    process.send_signal(signal.SIGKILL)
                    await process.wait()
                    kills += 1
                    continue
            assert await process.wait() == 0
            break
    finally:
        await fake.stop()
    assert kills == 3, "the run ended before it was killed three times: kill sooner"
    reminder = ("Pengingat iuran", "belum tercatat dibayar")
    sent = Counter((s.chat_id, s.text) for s in fake.sent if any(r in s.text for r in reminder))
    with sqlite3.connect(db_path) as conn:
        queued = conn.execute(
            "SELECT count(*), count(sent_at) FROM outbox WHERE dedupe LIKE 'remind:%'"
        ).fetchone()
    assert queued == (15, 15)  # 5 members x December, January, February: all sent
    assert len(sent) == 15, sent
    # Neither Telegram nor WhatsApp takes an idempotency key: a kill between the API's answer
    # and the commit (a few milliseconds) sends that one message again. Anywhere else, nothing.
    assert sum(sent.values()) - len(sent) <= kills, sent


# --- asked once in the chat, stopped by a word or a button ---------------------------------


def test_asked_once_after_registering_and_stopped_by_berhenti_or_the_button() -> None:
    chat = register(FlowChat())
    assert chat.text.endswith("Mau diingatkan tiap bulan?")
    assert chat.option_labels == ["Ya, ingatkan", "Tidak usah"]
    chat.tap("yes")
    assert "saya ingatkan di sini" in chat.text and "Ketik BERHENTI" in chat.text
    assert chat.reminders == {chat.registration.reference: True}
    assert "Hentikan pengingat" in chat.option_labels
    chat.send("berhenti")
    assert "Pengingat bayar di chat ini dihentikan" in chat.text
    assert chat.reminders == {chat.registration.reference: False}
    assert "Hentikan pengingat" not in chat.option_labels
    chat.send("ingatkan saya")
    assert chat.reminders == {chat.registration.reference: True}
    chat.tap("stop")
    assert chat.reminders == {chat.registration.reference: False}
    assert "Pengingat bayar di chat ini dihentikan" in chat.text


def test_no_thanks_is_recorded_and_not_asked_again_on_an_update() -> None:
    chat = register(FlowChat())
    chat.send("gak usah")
    assert chat.reminders == {chat.registration.reference: False} and chat.step == "done"
    assert "tidak ada pengingat" in chat.text
    # registering the same NIK again from this chat updates the registration: not asked again
    chat.send("mulai lagi")
    path = golden()
    chat.play([*path[:5], ("tap", "upd"), *path[5:]])
    assert len(chat.saved) == 2 and chat.saved[1].replaces == chat.registration.reference
    assert "Mau diingatkan" not in chat.text and chat.step == "done"


def test_a_campaigners_chat_is_not_asked_for_the_worker() -> None:
    chat = FlowChat()
    chat.deliver(chat._incoming(Kind.OPEN, assisted_by="PRS-0123"))
    chat.play(golden())
    assert chat.saved and "Mau diingatkan" not in chat.text and chat.reminders == {}


def test_a_family_member_may_be_reminded_in_the_chat_that_registered_them() -> None:
    chat = register(FlowChat())
    chat.tap("no")
    chat.send("mau daftarkan istri saya")
    chat.play([("tap", "pedagang"), ("tap", "next"), ("send", "1 juta"), ("tap", "reg")])
    chat.play([("send", "3372054508850003"), ("tap", "yes"), ("send", "Sri Wahyuni")])
    chat.play([("tap", "sender"), ("tap", "household"), ("tap", "skip"), ("tap", "ok")])
    assert "Mau diingatkan" in chat.text
    chat.tap("yes")
    own, wife = (s.registration.reference for s in chat.saved)
    assert chat.reminders == {own: False, wife: True}


def test_the_terminal_chat_promises_no_reminders_it_cannot_send() -> None:
    chat = register(FlowChat(channel="console"))
    assert "Mau diingatkan" not in chat.text and chat.step == "done"


def test_thanks_instead_of_an_answer_lets_the_question_go() -> None:
    chat = register(FlowChat())
    chat.send("makasih")
    assert chat.step == "done" and chat.reminders == {}
    assert chat.registration.reference in chat.text


async def test_outside_the_window_a_reminder_goes_as_its_template(tmp_path: Path) -> None:
    graph = FakeGraph()
    await graph.start()
    graph.outside_window.add(WA_ID)
    db = await Database.open(tmp_path / "bpu.sqlite3")
    try:
        contact = await db.run(lambda c: book.identify(c, WA_ID, None, NOW - timedelta(days=3)))
        reg = registration(7, reference="BPU-WHAT-0007")
        await db.run(lambda c: registrations.save(c, reg, None, "whatsapp", contact.key, "s", NOW))
        await db.run(
            lambda c: reminders.choose(c, "whatsapp", contact.key, reg.reference, True, NOW)
        )
        await results(db, accepted(reg), "a.csv", NOW)
        at = datetime(2026, 11, 28, 3, tzinfo=UTC)  # 10:00 in Jakarta, three days before December
        client = GraphClient(graph.url, TOKEN, PHONE_NUMBER_ID)
        try:
            await tick(db, Messenger(db, lambda: at, None, client).tell, default_rules(), at)
        finally:
            await client.close()
    finally:
        await db.close()
        await graph.stop()
    names = [m["template"]["name"] for m in graph.to(WA_ID)]
    assert names == ["bpu_hasil_diterima", "bpu_pengingat_iuran"]
    params = [p["text"] for p in graph.to(WA_ID)[1]["template"]["components"][0]["parameters"]]
    assert params == ["Desember 2026", "Rp13.400", "Indomaret, Alfamart, Kantor Pos"]
