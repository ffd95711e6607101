"""Whole conversations through the pure flow, asserting what the worker sees."""

from datetime import date

import pytest

from conversations import Kind, KnownRegistration
from conversations.engine import FLOW_VERSION
from tests.flowchat import (
    ALL_STAGES,
    NIK_BUDI,
    NIK_SITI,
    FlowChat,
    at_step,
    button,
    golden,
    register,
)

# --- the golden path, once per occupation ----------------------------------------------------


@pytest.mark.parametrize(
    ("occupation", "risk_word", "monthly"),
    [
        ("pedagang", "pasar", "Rp13.400"),
        ("ojek_pangkalan", "seperempat klaim", "Rp13.400"),
        ("ojek_online", "tabrak lari", "Rp13.400"),
        ("petani", "ular", "Rp13.400"),
        ("nelayan", "laut", "Rp13.400"),
    ],
)
def test_full_registration_within_twelve_taps(
    occupation: str, risk_word: str, monthly: str
) -> None:
    chat = FlowChat()
    chat.open()
    assert "Apa pekerjaan Anda" in chat.text
    chat.tap(occupation)
    assert risk_word in chat.text
    assert "Rp42 juta" in chat.text  # JKM, from the rules file
    chat.tap("next")
    chat.send("2 juta")
    assert "dipotong 50% sampai" in chat.text
    assert f"{monthly} sebulan, sekitar Rp450 sehari" in chat.text
    register_rest(chat)
    assert chat.inputs <= 12
    assert chat.step == "remind" and "Mau diingatkan tiap bulan?" in chat.text
    reg = chat.registration
    assert "Data Anda diterima" in chat.text and reg.reference in chat.text
    assert (reg.occupation, reg.monthly_premium, reg.income_declared) == (
        occupation,
        13_400,
        2_000_000,
    )
    assert (reg.nik, reg.phone, reg.city, reg.gender) == (
        NIK_SITI,
        "+6281234567890",
        "Kota Surakarta",
        "P",
    )
    assert reg.tariff_version == "2026-11-21.1" and reg.consent_version
    assert chat.funnel == ALL_STAGES


def register_rest(chat: FlowChat) -> None:
    chat.tap("reg")
    assert "NIK Anda (16 angka di KTP)?" in chat.text
    chat.send(NIK_SITI)
    assert "lahir 17 Agustus 1980, perempuan. Benar?" in chat.text
    chat.tap("yes")
    chat.send("Siti Aminah")
    chat.send("0812 3456 7890")
    chat.send("Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta")
    chat.tap("skip")
    assert "JKK + JKM: Rp13.400 sebulan" in chat.text and "Benar semua?" in chat.text
    assert "Bayar pertama" not in chat.text  # one month, the rule: nothing more to say
    chat.tap("ok")


def test_other_work_is_described_and_a_courier_counts_as_transport() -> None:
    chat = FlowChat(today=date(2027, 1, 15))
    chat.open()
    chat.play([("tap", "lainnya"), ("send", "kurir paket"), *golden()[1:]])
    reg = chat.registration
    assert (reg.occupation, reg.occupation_detail) == ("lainnya", "kurir paket")
    assert reg.monthly_premium == 13_400  # transport discount runs to March 2027
    assert reg.discount == "PP 50/2025 50% until 2027-03-31"


def test_after_the_traders_discount_ends_only_transport_keeps_it() -> None:
    trader = register(FlowChat(today=date(2027, 1, 15)))
    ojek = register(FlowChat(today=date(2027, 1, 15)), pedagang="ojek_online")
    assert (trader.registration.monthly_premium, trader.registration.discount) == (26_800, None)
    assert ojek.registration.monthly_premium == 13_400


def test_quote_shows_discount_end_and_optional_jht() -> None:
    chat = at_step("income", pedagang="ojek_online")
    chat.send("1,5 jt")
    assert (
        "Penghasilan Rp1.500.000: iuran kecelakaan kerja dan kematian (JKK, JKM) Rp10.900 "
        "sebulan, sekitar Rp350 sehari.\nSudah dipotong 50% sampai Maret 2027. Mulai April 2027: "
        "Rp21.800.\nTambah tabungan hari tua (JHT)? +Rp30.000 sebulan." in chat.text
    )
    assert "PP 50/2025" not in chat.text and "tabel resmi" in chat.text


def test_with_jht_and_several_months() -> None:
    chat = at_step("summary", reg="reg_jht")
    chat.play([("tap", "edit"), ("tap", "period"), ("tap", "p3")])
    assert "Bayar pertama untuk 3 bulan: Rp173.600" in chat.text
    chat.tap("ok")
    reg = chat.registration
    assert (reg.programs, reg.period_months) == ("JKK+JKM+JHT", 3)
    # Nov and Dec are discounted for a trader, Jan 2027 is not; JHT never is.
    assert reg.period_total == (13_400 + 40_000) * 2 + (26_800 + 40_000)


def test_income_below_minimum_is_explained_kindly() -> None:
    chat = at_step("income", pedagang="petani")
    chat.send("750rb")
    assert "Penghasilan terendah yang bisa dilaporkan adalah Rp1.000.000" in chat.text
    assert "Rp8.400 sebulan, sekitar Rp300 sehari" in chat.text


def test_income_above_maximum_is_confirmed_then_clamped() -> None:
    chat = at_step("income")
    chat.send("50 juta")  # more than the most one can declare: perhaps a year, or a slip
    assert "Rp50.000.000 sebulan. Benar?" in chat.text
    chat.tap("yes")
    assert "Penghasilan tertinggi yang bisa dilaporkan adalah Rp20.700.000" in chat.text


def test_quick_income_choice() -> None:
    chat = at_step("income", pedagang="nelayan")
    assert "Rp1,5 juta" in chat.option_labels
    chat.tap("inc:1500000")
    assert "Rp1.500.000" in chat.text


def test_typed_answers_instead_of_buttons() -> None:
    chat = FlowChat()
    chat.open()
    chat.send("ojol")
    chat.send("lanjut")
    chat.send("dua juta")
    chat.send("daftar")
    chat.send("3372 0517 0880 0002".replace(" ", ""))  # wrong day typed: 17 is a man's NIK
    chat.send("ya")
    assert chat.step == "name"


# --- never a dead end --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "bad", "message"),
    [
        ("occupation", "dokter gigi", "Saya belum kenal pekerjaan itu"),
        ("income", "banyak", "Jumlahnya tidak terbaca. Tulis seperti 1,5 juta"),
        ("income", "banyak", "Jumlahnya tidak terbaca"),
        ("nik", "12345", "NIK terdiri dari 16 angka"),
        ("nik", "9972055708800001", "bukan kode provinsi"),
        ("nik", "3372053208800001", "bukan tanggal yang benar"),
        ("nik", "3372055708800000", "tidak mungkin 0000"),
        ("name", "Siti 99", "Nama hanya berisi huruf"),
        ("phone", "021 5551234", "nomor telepon rumah"),
        ("phone", "+65 8123 4567", "nomor HP Indonesia"),
        ("address", "rumah", "Tulis alamat lengkap sesuai KTP"),
        ("email", "budi@", "Itu bukan alamat email"),
    ],
)
def test_wrong_input_says_what_is_wrong_and_asks_again(step: str, bad: str, message: str) -> None:
    chat = at_step(step)
    question = chat.replies[-1].text
    chat.send(bad)
    assert chat.step == step
    assert message in chat.text
    assert chat.replies[-1].text.endswith(question)


def test_the_months_to_pay_are_changed_from_the_summary() -> None:
    chat = at_step("summary")
    chat.play([("tap", "edit"), ("tap", "period")])
    question = chat.replies[-1].text
    chat.send("5")
    assert "Pilih berapa bulan" in chat.text and chat.replies[-1].text.endswith(question)
    chat.send("3 bulan")
    assert chat.step == "summary" and "Bayar pertama untuk 3 bulan: Rp53.600" in chat.text


@pytest.mark.parametrize("step", ["occupation", "income", "nik", "name", "summary"])
def test_stickers_and_photos_get_an_answer_and_the_same_question(step: str) -> None:
    chat = at_step(step)
    chat.media("sticker")
    assert "hanya bisa membaca teks dan tombol" in chat.text
    assert chat.step == step


def test_empty_and_huge_messages() -> None:
    chat = at_step("name")
    chat.send("")
    assert "Nama lengkap Anda sesuai KTP?" in chat.text
    chat.send("x" * 10_000)
    assert chat.step == "name"


def test_a_stale_button_is_handled() -> None:
    chat = at_step("nik")
    chat.tap_stale("pedagang")
    assert "Tombol itu untuk pertanyaan sebelumnya" in chat.text
    assert chat.step == "nik"


def test_help_lists_the_words_and_asks_again() -> None:
    chat = at_step("phone")
    chat.send("bantuan")
    assert "kembali" in chat.text and "batal" in chat.text and "175" in chat.text
    assert chat.replies[-1].text.startswith("Nomor HP Anda?")
    assert chat.replies[-1].contact_button == "Pakai nomor saya"


def test_back_goes_one_step_and_keeps_answers() -> None:
    chat = at_step("name")
    chat.send("kembali")
    assert chat.step == "birth_confirm" and "Benar?" in chat.text
    chat.send("kembali")
    assert chat.step == "nik"
    chat.send(NIK_SITI)
    chat.tap("yes")
    assert chat.step == "name"
    assert chat.session is not None and chat.session.answers.income_stated == 2_000_000


def test_back_at_the_first_question() -> None:
    chat = FlowChat()
    chat.open()
    chat.send("kembali")
    assert "Ini pertanyaan pertama" in chat.text and chat.step == "occupation"


def test_common_questions_then_back_to_the_same_step() -> None:
    chat = at_step("name")
    chat.send("tanya")
    assert "Apa itu JHT?" in chat.option_labels
    chat.tap("faq:jht")
    assert "JHT adalah tabungan hari tua" in chat.text
    assert chat.replies[-1].text == "Nama lengkap Anda sesuai KTP?"
    for question, answer in [
        ("apa itu jht?", "tabungan hari tua"),
        ("berapa iurannya?", "mulai Rp8.400 sebulan"),
        ("cara bayar gimana?", "Indomaret"),
        ("kalau telat bayar?", "Tidak ada denda"),
        ("bagaimana cara klaim?", "layanan telepon 175"),
        ("ada pensiun?", "tidak tersedia untuk pekerja mandiri"),
    ]:
        chat.send(question)
        assert answer in chat.text, question
        assert chat.step == "name"
    chat.send("apakah bisa dicicil?")
    assert "belum bisa menjawab" in chat.text and chat.step == "name"
    assert chat.session is not None and chat.session.answers.full_name is None


def test_cost_question_mentions_the_current_discount() -> None:
    chat = at_step("income")
    chat.send("berapa iurannya?")
    # for this worker (a trader): one date, not both sectors'
    assert "dipotong 50% untuk pekerjaan Anda sampai Desember 2026" in chat.text
    assert "Maret 2027" not in chat.text and "APBN/APBD" in chat.text


def test_cancel_asks_first_and_no_keeps_everything() -> None:
    chat = at_step("address")
    chat.send("batal")
    assert "Berhenti dan hapus" in chat.text
    chat.tap("no")
    assert chat.step == "address"
    assert chat.session is not None and chat.session.answers.phone == "+6281234567890"


def test_cancel_yes_deletes_personal_data() -> None:
    chat = at_step("address")
    chat.send("batal")
    chat.send("ya")
    assert chat.step == "ended" and "sudah dihapus" in chat.text
    assert chat.session is not None and chat.session.answers.nik is None
    assert chat.saved == []
    chat.tap("new")
    assert chat.step == "occupation"


def test_declining_at_the_quote_stores_nothing_personal() -> None:
    chat = at_step("quote")
    chat.tap("no")
    assert "tidak ada data Anda yang disimpan" in chat.text
    assert chat.step == "ended" and chat.saved == []
    assert chat.session is not None and chat.session.consent_at is None


def test_restart_asks_and_starts_a_new_session() -> None:
    chat = at_step("phone")
    assert chat.session is not None
    old_id = chat.session.id
    chat.send("ulang")
    chat.tap("no")
    assert chat.step == "phone"
    chat.send("mulai lagi")
    chat.tap("yes")
    assert chat.step == "occupation" and chat.session.id != old_id
    assert chat.session.answers.nik is None


def test_opening_the_chat_again_resumes() -> None:
    chat = at_step("address")
    chat.open()
    assert "Selamat datang kembali" in chat.text
    assert chat.step == "address"


# --- the summary and its edits ---------------------------------------------------------------


def test_changing_income_from_the_summary_reprices() -> None:
    chat = at_step("summary")
    assert "JKK + JKM: Rp13.400 sebulan" in chat.text
    chat.tap("edit")
    chat.tap("income")
    chat.send("3 juta")
    assert chat.step == "summary"
    assert "JKK + JKM: Rp18.400 sebulan" in chat.text
    chat.tap("ok")
    assert chat.registration.monthly_premium == 18_400


def test_changing_nik_confirms_birth_date_then_returns_to_summary() -> None:
    chat = at_step("summary")
    chat.tap("edit")
    chat.tap("nik")
    chat.send(NIK_BUDI)
    assert "laki-laki" in chat.text
    chat.tap("yes")
    assert chat.step == "summary" and "Siti Aminah, laki-laki, lahir 17 Agustus 1980" in chat.text


def test_changing_address_reads_its_kecamatan_and_region() -> None:
    chat = at_step("summary")
    chat.tap("edit")
    chat.tap("address")
    chat.send("Jl. Melati 7, Laweyan")  # a kecamatan of Kota Surakarta, where the NIK is from
    assert chat.step == "summary"
    assert "\nJl. Melati 7, Laweyan, Kota Surakarta\n" in chat.text
    chat.tap("ok")
    reg = chat.registration
    assert (reg.city_code, reg.district, reg.district_code) == ("33.72", "Laweyan", "33.72.01")


def test_changing_programs_and_occupation() -> None:
    chat = at_step("summary")
    chat.tap("edit")
    chat.tap("programs")
    chat.tap("jht")
    assert "JKK + JKM + JHT: Rp53.400 sebulan" in chat.text
    chat.tap("edit")
    chat.tap("occupation")
    chat.tap("nelayan")
    assert chat.step == "summary" and "Nelayan, penghasilan" in chat.text


def test_back_from_the_edit_menu_returns_to_summary() -> None:
    chat = at_step("summary")
    chat.tap("edit")
    chat.tap("summary")
    assert chat.step == "summary"


def test_premium_changed_between_summary_and_confirmation() -> None:
    chat = FlowChat(today=date(2026, 12, 31))
    chat.open()
    chat.play(golden()[:-1])
    assert "JKK + JKM: Rp13.400 sebulan" in chat.text
    chat.today = date(2027, 1, 1)  # midnight passes: the trader's discount is over
    chat.tap("ok")
    assert "Iurannya berubah" in chat.text and "JKK + JKM: Rp26.800 sebulan" in chat.text
    assert chat.saved == []
    chat.tap("ok")
    assert chat.registration.monthly_premium == 26_800


# --- registration rules ----------------------------------------------------------------------


def test_nik_registered_by_someone_else_is_refused_masked() -> None:
    registry = {NIK_SITI: KnownRegistration("BPU-AAAA-BBBB", "test", "someone-else")}
    chat = at_step("nik")
    chat.registry = registry
    chat.send(NIK_SITI)
    assert "3372••••••••0001 sudah terdaftar lewat layanan ini" in chat.text
    assert NIK_SITI not in chat.text and "BPU-AAAA-BBBB" not in chat.text
    assert "upd" not in chat.option_keys
    chat.tap("other")
    assert chat.step == "nik"
    chat.send(NIK_BUDI)
    assert chat.step == "birth_confirm"


def test_own_nik_again_offers_an_update_not_a_second_registration() -> None:
    chat = register(FlowChat())
    first = chat.registration.reference
    chat.send("mulai lagi")  # their own data again, not a family member's
    chat.play(golden(**{"2 juta": "3 juta"})[:5])
    assert f"sudah terdaftar (nomor referensi {first})" in chat.text
    chat.tap("upd")
    chat.play(golden(**{"0812 3456 7890": "0813 1111 2222"})[5:])
    assert len(chat.saved) == 2
    assert chat.saved[1].replaces == first and chat.registration.reference == first
    assert chat.registration.phone == "+6281311112222"


def test_over_65_is_registered_and_flagged() -> None:
    chat = register(FlowChat(), **{NIK_SITI: "3372051701550003"})  # born 17-01-1955: 71 years old
    assert chat.registration.review_flags == ("age_over_65",)
    assert "Petugas kami akan memeriksa data Anda" in chat.text


def test_corrected_birth_date_is_flagged_for_review() -> None:
    chat = at_step("birth_confirm")
    chat.tap("no")
    chat.send("18-8-80")
    chat.tap("P")
    chat.play(golden()[6:])
    assert chat.registration.birth_date == date(1980, 8, 18)
    assert chat.registration.review_flags == ("birth_differs_from_nik",)


@pytest.mark.parametrize(
    "typed", ["lewati", "-", "tidak punya email", "saya belum punya", "gak ada"]
)
def test_no_email_in_words(typed: str) -> None:
    chat = at_step("email")
    chat.send(typed)
    assert chat.step == "summary"
    assert chat.session is not None and chat.session.answers.email_skipped


def test_confirming_without_consent_goes_back_to_the_consent() -> None:
    chat = at_step("summary")
    assert chat.session is not None
    chat.session = chat.session.model_copy(update={"consent_at": None})
    chat.tap("ok")
    assert chat.saved == [] and chat.step == "quote"
    assert "Pilih Daftar berarti setuju" in chat.text


def test_phone_from_a_shared_contact() -> None:
    chat = at_step("phone")
    chat.contact("+62 813-9999-0000", own=False)
    assert "Kontak itu milik orang lain" in chat.text and chat.step == "phone"
    chat.contact("6281399990000", own=True)
    assert chat.step == "address" and chat.session is not None
    assert chat.session.answers.phone == "+6281399990000"


def test_after_registration_personal_data_leaves_the_session() -> None:
    chat = register(FlowChat())
    assert chat.session is not None and chat.session.answers.nik is None
    chat.send("terima kasih")
    assert chat.registration.reference in chat.text and chat.step == "done"


def test_campaign_code_from_the_start_link_lands_in_the_registration() -> None:
    chat = FlowChat()
    chat.open(payload="klewer-01")
    chat.open(payload="other-later")  # first touch wins
    chat.play(golden())
    assert chat.registration.campaign == "klewer-01"


def test_campaign_code_is_cleaned() -> None:
    chat = FlowChat()
    chat.open(payload="<script>x</script>" + "a" * 100)
    assert chat.session is not None and chat.session.campaign == ("scriptxscript" + "a" * 100)[:64]


# --- language and versions -------------------------------------------------------------------


def test_switch_to_english_and_back() -> None:
    chat = at_step("name")
    chat.send("bahasa")
    chat.tap("lang:en")
    assert chat.replies[-1].text == "Your full name as on your KTP?"
    chat.send("language")
    chat.send("indonesia")
    assert chat.replies[-1].text == "Nama lengkap Anda sesuai KTP?"


def test_english_conversation_from_the_start() -> None:
    chat = FlowChat()
    chat.open(lang="en")
    assert "What work do you do every day?" in chat.text
    chat.tap("pedagang")
    chat.tap("next")
    chat.send("2 juta")
    assert "Rp13,400 a month, about Rp450 a day.\nAlready 50% off until December 2026." in chat.text


def test_a_session_from_an_older_flow_resumes_at_the_first_open_question() -> None:
    chat = at_step("phone")
    assert chat.session is not None
    chat.session = chat.session.model_copy(
        update={"step": "removed_step", "flow_version": 0, "pending": "gone"}
    )
    chat.open()
    assert chat.session.flow_version == FLOW_VERSION
    assert chat.step == "phone"  # the first question without an answer
    assert "Selamat datang kembali" in chat.text and "Nomor HP Anda?" in chat.text
    chat.send("0812 3456 7890")
    assert chat.step == "address"
    assert chat.session.answers.full_name == "Siti Aminah"


# --- assisted registration by a campaigner -------------------------------------------------------


def assisted(chat: FlowChat, campaigner: str = "PRS-0123", campaign: str = "pasar-gede-abc123"):
    return chat.deliver(chat._incoming(Kind.OPEN, assisted_by=campaigner, payload=campaign))


def test_a_campaigner_registers_several_workers_in_a_row() -> None:
    chat = FlowChat()
    assisted(chat)
    assert "Pendaftaran dibantu: bacakan setiap pertanyaan" in chat.text
    chat.play(golden()[:3])
    chat.tap("reg")  # consent read out
    assert chat.session is not None
    assert chat.session.consent_version == "2026-11-24.2-assisted"
    chat.play(golden()[4:7])
    assert chat.replies[-1].contact_button is None  # not the campaigner's own number
    chat.play(golden()[7:])
    assert "Berikan nomor referensi ini kepada pekerja" in chat.text
    first = chat.registration
    assert (first.assisted_by, first.campaign) == ("PRS-0123", "pasar-gede-abc123")
    chat.tap("new")  # "Pekerja berikutnya"
    assert "Pendaftaran dibantu" in chat.text and chat.step == "occupation"
    chat.play(golden(**{NIK_SITI: NIK_BUDI, "Siti Aminah": "Budi Santoso"}))
    second = chat.registration
    assert (second.assisted_by, second.full_name, len(chat.saved)) == (
        "PRS-0123",
        "Budi Santoso",
        2,
    )
    chat.tap("exit")
    assert chat.step == "ended" and chat.session.assisted_by is None


def test_the_assisted_consent_is_an_attestation() -> None:
    chat = FlowChat()
    assisted(chat)
    chat.play(golden()[:3])
    assert "Bacakan kepada pekerja" in chat.text
    assert "pekerja sudah mendengar dan setuju" in chat.text


def test_opening_assisted_mode_again_mid_form_resumes() -> None:
    chat = FlowChat()
    assisted(chat)
    chat.play(golden()[:3])
    assisted(chat)
    assert "Selamat datang kembali" in chat.text and chat.step == "quote"


def test_the_number_the_worker_writes_from_is_offered_but_not_when_assisting() -> None:
    own = at_step("phone", FlowChat(sender="+6281234567890"))
    assert own.option_labels == ["Pakai 0812-3456-7890"]
    own.tap("sender")
    assert own.step == "address" and own.session is not None
    assert own.session.answers.phone == "+6281234567890"
    helper = FlowChat(sender="+6281299998888")
    assisted(helper)
    helper.play(golden()[:7])
    assert helper.step == "phone" and helper.option_keys == []


def test_a_button_counts_only_for_the_question_it_was_shown_with() -> None:
    chat = at_step("quote")
    not_now = button(chat.replies, "no")  # "Nanti saja" under the consent
    chat.tap("reg")
    chat.send(NIK_SITI)
    assert chat.step == "birth_confirm"  # whose "Salah, ubah" has the same key, "no"
    chat.tap_stale(not_now)
    assert "Tombol itu untuk pertanyaan sebelumnya" in chat.text
    assert chat.step == "birth_confirm" and chat.session.answers.birth_date is not None
    chat.tap("no")  # the question's own button still works
    assert chat.step == "birth_date"
