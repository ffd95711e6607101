"""Payment reminders and the worker's data rights as workers type them (issue 13, from a review
that used it the way traders and drivers write): the ways of saying "stop reminding me",
"berhenti" in the middle of a family member's form, corrections in the worker's own words, a
cancel that is no correction, and a family member's data."""

from __future__ import annotations

import pytest

from conversations import CorrectionRequest, DataHeld, EraseData, HeldRegistration
from tests.flowchat import FlowChat, at_step, register

WIFE_NIK = "3372054508850003"


class AcceptedChat(FlowChat):
    """As FlowChat, but the main system has sent back its answer (accepted) for every
    registration: 'ubah data' then asks the worker to write what is wrong."""

    def _answer(self, query):  # type: ignore[override]
        if isinstance(query, DataHeld):
            latest = {s.registration.reference: s.registration for s in self.saved}
            return tuple(HeldRegistration(r, True, "accepted", False) for r in latest.values())
        return super()._answer(query)


def registered_with_reminders(chat: FlowChat | None = None) -> FlowChat:
    chat = register(chat or FlowChat())
    chat.tap("yes")
    return chat


def start_wife(chat: FlowChat) -> FlowChat:
    """The registered worker begins registering his wife and is at her name."""
    chat.send("mau daftarkan istri saya")
    chat.play([("tap", "pedagang"), ("tap", "next"), ("send", "1 juta"), ("tap", "reg")])
    chat.play([("send", WIFE_NIK), ("tap", "yes")])
    assert chat.step == "name"
    return chat


def register_wife(chat: FlowChat) -> FlowChat:
    start_wife(chat)
    chat.play([("send", "Sri Wahyuni"), ("tap", "sender"), ("tap", "household")])
    chat.play([("tap", "skip"), ("tap", "ok")])
    assert chat.step == "remind"
    return chat


@pytest.mark.parametrize(
    "reply",
    [
        "ga usah diingatkan lagi",  # the reminder asks "Tidak mau diingatkan lagi?"
        "jangan ingatkan lagi",
        "gak usah diingetin",
        "gausah diingetin",
        "stop ingetin",
        "brenti",
    ],
)
def test_a_worker_saying_no_more_reminders_after_registering_stops_them(reply: str) -> None:
    chat = registered_with_reminders()
    own = chat.registration.reference
    chat.send(reply)
    assert chat.reminders == {own: False}, chat.text  # before: still on, status repeated


def test_berhenti_in_a_family_members_form_stops_the_reminders_and_keeps_the_form() -> None:
    """A reminder arrives while the worker is half-way through his wife's form; he does what it
    says: 'Balas BERHENTI'. Before, he is asked to delete the wife's form; 'iya' deletes it and
    the reminders go on."""
    chat = start_wife(registered_with_reminders())
    own = chat.saved[0].registration.reference
    chat.send("Sri Wahyuni")  # the wife's name, then the reminder comes
    chat.send("BERHENTI")
    chat.send("iya")
    assert chat.reminders == {own: False}, chat.text


def test_berhenti_while_the_family_question_is_open_stops_the_own_reminders() -> None:
    """Own reminders on; the wife registered; the worker left at 'Mau diingatkan tiap
    bulan?'. Weeks later his own reminder comes and he replies BERHENTI: the bot says
    'Baik, tidak ada pengingat.' but only the wife's (never on) are declined."""
    chat = register_wife(registered_with_reminders())
    own = chat.saved[0].registration.reference
    chat.send("BERHENTI")
    assert chat.reminders[own] is False, (chat.reminders, chat.text)


@pytest.mark.parametrize("reply", ["batal", "gak jadi", "kembali", "makasih", "berhenti"])
def test_changing_ones_mind_sends_no_correction_to_staff(reply: str) -> None:
    """Before, each is recorded as a correction request for staff and the worker is told
    'petugas kami akan memperbaikinya'."""
    chat = register(AcceptedChat())
    chat.tap("no")
    chat.send("ubah data")
    assert "Tulis apa yang salah" in chat.text
    chat.send(reply)
    assert not [r for r in chat.rights if isinstance(r, CorrectionRequest)], chat.text
    assert "memperbaikinya" not in chat.text


@pytest.mark.parametrize("reply", ["salah alamat", "alamat salah", "namanya salah", "salah nama"])
def test_a_correction_at_the_reminder_question_is_not_taken_as_no(reply: str) -> None:
    """Before: 'Baik, tidak ada pengingat.', reminders recorded as declined, and nothing about
    the mistake the worker just pointed out."""
    chat = register(FlowChat())
    chat.send(reply)
    assert chat.reminders == {}, chat.text
    assert chat.step == "summary" or "Perbaiki" in " ".join(chat.option_labels), chat.text


@pytest.mark.parametrize("reply", ["ingetin ya", "iya ingetin", "ingetin aja"])
def test_colloquial_yes_turns_reminders_on(reply: str) -> None:
    """Before, the question is silently dropped: no reminders, no word said about it."""
    chat = register(FlowChat())
    chat.send(reply)
    assert chat.reminders == {chat.registration.reference: True}, chat.text


@pytest.mark.parametrize("text", ["liat data", "liat data saya"])
def test_see_my_data_as_typed(text: str) -> None:
    chat = registered_with_reminders()
    chat.send(text)
    assert chat.session.pending == "mydata", chat.text  # before: the status again


def test_liat_data_at_the_name_question_is_not_saved_as_the_name() -> None:
    chat = at_step("name")
    chat.send("liat data")
    assert chat.session.answers.full_name != "Liat Data"


@pytest.mark.parametrize("text", ["salah alamat", "ubah nama", "ganti nomor hp"])
def test_a_correction_in_the_workers_words_after_registering(text: str) -> None:
    """Before: the status again, no way forward named."""
    chat = registered_with_reminders()
    chat.send(text)
    assert chat.step == "summary" or chat.session.pending in ("mydata", "correct"), chat.text


def test_batal_on_the_data_screen_goes_back_and_leaves_reminders_on() -> None:
    """At 'data saya' (buttons Perbaiki / Hapus / Kembali) 'batal' means 'never mind';
    before it turns payment reminders off."""
    chat = registered_with_reminders()
    own = chat.registration.reference
    chat.send("data saya")
    chat.send("batal")
    assert chat.reminders == {own: True}, chat.text


def test_the_wifes_registration_can_be_corrected() -> None:
    """'data saya' lists her registration; 'Perbaiki data' always reopens his own."""
    chat = register_wife(registered_with_reminders())
    chat.tap("no")
    chat.send("data saya")
    assert "Sri Wahyuni" in chat.text
    chat.tap("correct")
    assert "Data siapa yang mau diperbaiki?" in chat.text
    assert chat.option_labels == ["Siti Aminah", "Sri Wahyuni", "Kembali"]
    chat.tap(chat.saved[-1].registration.reference)
    assert "Sri Wahyuni" in chat.text and chat.step == "summary"
    assert chat.session.update_reference == chat.saved[-1].registration.reference


def test_hapus_data_in_the_wifes_form_says_it_deletes_his_own_registration() -> None:
    """Half-way through the wife's form, 'hapus data' ('delete the data [I typed]') deletes
    the worker's own registration too; the question names neither it nor her."""
    chat = start_wife(registered_with_reminders())
    own = chat.saved[0].registration
    chat.send("hapus data")
    asked = chat.text
    chat.send("iya")
    assert EraseData() in chat.rights  # his own registration is gone (and its reminders)
    assert own.reference in asked or own.full_name in asked, asked
