"""The longer things the bot says: benefits per occupation, questions, the quote, the summary.

Every amount comes from the rules file, every sentence from the catalogs; staff change wording in
locales/ and numbers in rules.toml.
"""

from __future__ import annotations

from datetime import date

from .fields import display_phone, masked_phone
from .i18n import N_, Translator
from .model import Answers
from .nik import mask
from .premium import MonthPremium, Quote, quote
from .rules import Rules
from .understanding.income import IncomeReading

CONSENT_VERSION = "2026-11-24.2"  # bump whenever the consent sentences below change
ASSISTED_CONSENT_VERSION = "2026-11-24.2-assisted"  # the same, read out by a campaigner
FAMILY_CONSENT_VERSION = "2026-11-24.2-family"  # the same, read out by a registered worker

# The six kinds of work, by key: their button labels. The words workers use for them are in
# locales/words/occupations.toml.
OCCUPATIONS: dict[str, str] = {
    "pedagang": N_("Trader"),
    "ojek_pangkalan": N_("Ojek (base)"),
    "ojek_online": N_("Online ojek"),
    "petani": N_("Farmer"),
    "nelayan": N_("Fisher"),
    "lainnya": N_("Other work"),
}

_RISKS = {
    # What each kind of work risks: injury and death only, which is what JKK and JKM pay for (a
    # burned stall or a sunk boat is property, not covered). bpu-facts.md section 6.
    "pedagang": N_(
        "Traders are on the road and lift heavy loads every day: one accident can stop your income."
    ),
    "ojek_pangkalan": N_(
        "You are on the road all day: about a quarter of work-accident claims are road accidents."
    ),
    "ojek_online": N_(
        "You are on the road all day. An online driver hit and run: his care cost Rp1.5 billion, "
        "all of it paid."
    ),
    "petani": N_(
        "Farm work has its dangers: hoe or sickle cuts, snake bites, falls, tractors, pesticide "
        "poisoning."
    ),
    "nelayan": N_(
        "At sea one slip can be fatal: falling overboard, drowning, or an injury while repairing "
        "the engine."
    ),
    "lainnya": N_(
        "Every job has its risks: an accident while working, or on the way to work and back home."
    ),
}


def benefit_summary(t: Translator, rules: Rules, occupation: str) -> str:
    """What the programs do for this worker, in a few lines; the details are one tap away."""
    risk = t(_RISKS.get(occupation, _RISKS["lainnya"]))
    covered = t(
        "An accident at work or on the way: the hospital is paid in full, your income replaced. "
        "Death: your family receives at least {jkm}. It starts at once.",
        jkm=t.juta(rules.benefits.jkm_total),
    )
    return f"{risk}\n\n{covered}"


def full_benefits(t: Translator, rules: Rules) -> list[str]:
    """Everything JKK, JKM and JHT pay, for a worker who asks for the details."""
    b = rules.benefits
    death_at_minimum = (
        b.jkk_death_multiplier * rules.income.minimum + b.jkk_death_periodic + b.jkk_funeral
    )
    jkk = t(
        "JKK (work accident) protects you at work and on your usual way between home and work:\n"
        "• hospital care as needed, with no cost limit\n"
        "• while you cannot work: your full monthly income for 12 months, then half until you "
        "recover\n"
        "• death from a work accident: {death_x} times your monthly income + {extra} ({death_min} "
        "for an income of {income_min})\n"
        "• school money for up to 2 children, up to {scholarship} in all",
        death_x=b.jkk_death_multiplier,
        extra=t.juta(b.jkk_death_periodic + b.jkk_funeral),
        death_min=t.juta(death_at_minimum),
        income_min=t.juta(rules.income.minimum),
        scholarship=t.juta(b.jkk_scholarship_max),
    )
    jkm = t(
        "JKM (death from any other cause): your family receives {jkm}. After {years} years of "
        "paying, also school money for up to 2 children. There is no waiting period.\n\n"
        "JHT (optional): savings for old age, paid back with what they earned at age {age}.",
        jkm=t.juta(b.jkm_total),
        years=b.jkm_scholarship_min_years,
        age=b.jht_payout_age,
    )
    return [jkk, jkm]


def lowest_premium(rules: Rules) -> int:
    """The premium at the lowest income, without any discount."""
    p = rules.premium
    return rules.income.minimum * p.jkk_percent // 100 + p.jkm_flat


def lowest_premium_today(
    rules: Rules, today: date, occupation: str | None, detail: str | None = None
) -> Quote:
    """The cheapest quote this month: for this work ("other work: kurir" is transport, as at
    the quote), or the cheapest of all when the work is not known yet (the discount differs by
    sector)."""
    sectors = (rules.sector_of(occupation, detail),) if occupation else ("transport", "other")
    quotes = [quote(rules, rules.income.minimum, s, False, today, 1) for s in sectors]
    return min(quotes, key=lambda q: q.monthly_total)


def price_today(t: Translator, q: Quote) -> str:
    """ "Rp8.400 a month until December 2026", or the price when no discount runs."""
    if q.discount_rule and q.first.discount:
        return t(
            "{amount} a month until {end}",
            amount=t.money(q.monthly_total),
            end=t.month(q.discount_rule.end),
        )
    return t("{amount} a month", amount=t.money(q.monthly_total))


# --- the quote ------------------------------------------------------------------------------


def quote_for(
    rules: Rules,
    answers: Answers,
    today: date,
    with_jht: bool | None = None,
    months: int | None = None,
) -> Quote:
    assert answers.income_stated is not None and answers.occupation is not None
    sector = rules.sector_of(answers.occupation, answers.occupation_detail)
    jht = answers.with_jht if with_jht is None else with_jht
    return quote(
        rules, answers.income_stated, sector, bool(jht), today, months or answers.period or 1
    )


def income_note(t: Translator, q: Quote) -> str | None:
    if q.income.adjusted == "raised":
        return t(
            "The lowest income you can declare is {minimum}, so your premium is calculated from "
            "{minimum}. That is the cheapest premium there is.",
            minimum=t.money(q.income.declared),
        )
    if q.income.adjusted == "lowered":
        return t(
            "The highest income you can declare is {maximum}, so your premium is calculated "
            "from {maximum}.",
            maximum=t.money(q.income.declared),
        )
    if q.income.adjusted == "level":
        return t(
            "In the official table your income is declared as {declared}.",
            declared=t.money(q.income.declared),
        )
    return None


def per_day(monthly: int) -> int:
    """About what a monthly premium is a day, to the nearest Rp50: how people weigh a price."""
    return max(50, round(monthly / 30 / 50) * 50)


def premium_change(year: Quote) -> MonthPremium | None:
    """The first month whose premium differs from the first's (a discount ends), if any."""
    months = year.months
    return next((m for m in months if m.total != months[0].total), None)


def quote_message(t: Translator, q: Quote, jht_q: Quote, year: Quote) -> str:
    """The monthly premium for JKK+JKM as a worker weighs it (a month, about a day, and when it
    changes), with JHT as the optional extra. `year` is the same quote over twelve months."""
    first, rule = q.first, q.discount_rule
    lines = [
        t(
            "Income {income}: work accident and death cover (JKK, JKM) {total} a month, about "
            "{daily} a day.",
            income=t.money(q.income.declared),
            total=t.money(q.monthly_total),
            daily=t.money(per_day(q.monthly_total)),
        )
    ]
    if rule and first.discount:
        lines.append(
            t("Already {percent}% off until {end}.", percent=rule.percent, end=t.month(rule.end))
        )
    if later := premium_change(year):
        lines[-1] += " " + t(
            "From {month}: {amount}.", month=t.month(later.month), amount=t.money(later.total)
        )
    lines.append(t("Add old-age savings (JHT)? +{jht} a month.", jht=t.money(jht_q.first.jht)))
    lines.append(t("The exact amount follows the official table."))
    return "\n".join(lines)


def programs_label(t: Translator, with_jht: bool) -> str:
    return t("JKK + JKM + JHT") if with_jht else t("JKK + JKM")


def period_label(t: Translator, q: Quote) -> str:
    return t.plural(
        "{n} month · {total}",
        "{n} months · {total}",
        q.period_months,
        total=t.money(q.period_total),
    )


# --- the summary ----------------------------------------------------------------------------


def gender_label(t: Translator, gender: str | None) -> str:
    return t("female") if gender == "P" else t("male")


def occupation_label(t: Translator, answers: Answers) -> str:
    label = t(OCCUPATIONS.get(answers.occupation or "", OCCUPATIONS["lainnya"]))
    return f"{label}: {answers.occupation_detail}" if answers.occupation_detail else label


def full_address(address: str, city: str | None) -> str:
    """The address with its kabupaten/kota appended when it does not name it already."""
    return f"{address}, {city}" if city and city.lower() not in address.lower() else address


def summary_message(
    t: Translator,
    answers: Answers,
    q: Quote,
    masked: bool = False,
    premium_line: str | None = None,
) -> str:
    """What will be registered, a line per thing, in as few words as it can be checked by;
    `masked`: the NIK and number not typed in this conversation are shown masked, as in
    "data saya" (whoever holds the phone now need not be who registered); `premium_line`: what
    a sponsor pays instead of the worker."""
    a = answers
    assert a.birth_date is not None and a.phone is not None and a.nik is not None
    lines = [
        t("NIK {nik}", nik=mask(a.nik) if masked else a.nik),
        t(
            "{name}, {gender}, born {date}",
            name=a.full_name,
            gender=gender_label(t, a.gender),
            date=t.date(a.birth_date),
        ),
        t("Mobile {phone}", phone=masked_phone(a.phone) if masked else display_phone(a.phone)),
        full_address(a.address or "", a.city),
    ]
    if a.email:
        lines.append(t("Email {email}", email=a.email))
    lines.append(
        t(
            "{occupation}, income {income} a month",
            occupation=occupation_label(t, a),
            income=t.money(q.income.declared),
        )
    )
    if premium_line:
        lines.append(premium_line)
        return "\n".join(lines)
    lines.append(
        t(
            "{programs}: {monthly} a month",
            programs=programs_label(t, q.with_jht),
            monthly=t.money(q.monthly_total),
        )
    )
    if q.period_months > 1:
        lines.append(
            t(
                "First payment for {n} months: {total}",
                n=q.period_months,
                total=t.money(q.period_total),
            )
            + months_breakdown(t, q)
        )
    return "\n".join(lines)


def months_breakdown(t: Translator, q: Quote) -> str:
    """ " (2 months × Rp13.400 + 10 months × Rp26.800)" when the months of a period differ (a
    discount ends within it): why the total is not the months times the monthly premium."""
    runs: list[list[int]] = []  # [months, premium]
    for month in q.months:
        if runs and runs[-1][1] == month.total:
            runs[-1][0] += 1
        else:
            runs.append([1, month.total])
    if len(runs) < 2:
        return ""
    parts = [t("{n} months × {amount}", n=n, amount=t.money(amount)) for n, amount in runs]
    return f" ({' + '.join(parts)})"


# --- common questions -----------------------------------------------------------------------

# Common questions, by topic: their button labels. The words that ask them are in
# locales/words/topics.toml; FAQ_MENU are the ones offered as buttons (a WhatsApp list holds 10).
FAQ_TOPICS: dict[str, str] = {
    "cost": N_("How much?"),
    "pay": N_("How to pay"),
    "death": N_("If I die?"),
    "accident": N_("Work accident?"),
    "claim": N_("How to claim"),
    "card": N_("When is my card ready?"),
    "jht": N_("What is JHT?"),
    "late": N_("Paying late"),
    "kesehatan": N_("BPJS Kesehatan?"),
    "sickness": N_("Ordinary illness?"),
    "pension": N_("Pension?"),
    "eligible": N_("Who can join?"),
    "no_ktp": N_("No KTP at hand?"),
}
FAQ_MENU = ("cost", "pay", "death", "accident", "claim", "card", "jht", "late", "kesehatan")


def cost_answer(
    t: Translator, rules: Rules, today: date, occupation: str | None, detail: str | None = None
) -> str:
    """What it costs: the rates, then the price today for this worker (the discount for their
    kind of work, until when), or the cheapest today when the work is not known yet."""
    text = t(
        "JKK costs {jkk}% of your monthly income and JKM {jkm} a month, so {lowest} a month at "
        "the lowest income. JHT (optional) adds {jht}% of your income.",
        jkk=rules.premium.jkk_percent,
        jkm=t.money(rules.premium.jkm_flat),
        lowest=t.money(lowest_premium(rules)),
        jht=rules.premium.jht_percent,
    )
    cheapest = lowest_premium_today(rules, today, occupation, detail)
    rule = cheapest.discount_rule
    if rule and cheapest.first.discount:
        text += "\n" + t(
            "Now {percent}% off JKK and JKM{for_you} until {end}: from {price} a month. Not for "
            "members whose premium is paid from the state or regional budget (APBN/APBD).",
            percent=rule.percent,
            for_you=t(" for your work") if occupation else "",
            end=t.month(rule.end),
            price=t.money(cheapest.monthly_total),
        )
    return text


def faq_answer(
    t: Translator,
    rules: Rules,
    topic: str,
    today: date,
    occupation: str | None = None,
    detail: str | None = None,
) -> str:
    pay, b = rules.payment, rules.benefits
    if topic == "cost":
        return cost_answer(t, rules, today, occupation, detail)
    if topic == "jht":
        return t(
            "JHT is savings for old age. You pay {jht}% of your income; it is paid back with its "
            "returns at age {age}, or earlier when you stop working, are permanently disabled, or "
            "die (then to your family). After {years} years you may take part of it once. The "
            "returns are at least the deposit rate of government banks; there is no fixed yearly "
            "figure.",
            jht=rules.premium.jht_percent,
            age=b.jht_payout_age,
            years=b.jht_partial_after_years,
        )
    if topic == "pay":
        return t(
            "Pay with your NIK at: {channels}. Pay every month; some places (e-wallets, the JMO "
            "app) also take several months at once. Your membership card comes at most {days} "
            "days after you pay.",
            channels=", ".join(pay.channels),
            days=pay.card_days_after_payment,
        )
    if topic == "late":
        return t(
            "There is no fine for paying late. After {months} months in a row without paying, "
            "your membership becomes inactive; pay again with your NIK to make it active again.",
            months=pay.inactive_after_unpaid_months,
        )
    if topic == "claim":
        return t(
            "There is no waiting period. To claim, "
            "call Contact Center {cc} or visit a BPJS Ketenagakerjaan branch office; they tell you "
            "which documents to bring.",
            cc=pay.contact_center,
        )
    if topic == "card":
        return t(
            "Your membership card comes at most {days} days after you pay.",
            days=pay.card_days_after_payment,
        )
    if topic == "death":
        return t(
            "If you die from a work accident, your family receives {death_x} × your declared "
            "income + {extra} (JKK). If you die from any other cause, they receive {jkm} (JKM). "
            "There is no waiting period, and you don't need to name heirs now.",
            death_x=b.jkk_death_multiplier,
            extra=t.juta(b.jkk_death_periodic + b.jkk_funeral),
            jkm=t.juta(b.jkm_total),
        )
    if topic == "accident":
        return t(
            "After an accident at work or on your way between home and work, JKK pays hospital "
            "care with no cost limit, and 100% of your declared income for 12 months while you "
            "cannot work, then 50% until you recover.",
        )
    if topic == "kesehatan":
        return t(
            "No, they are different. BPJS Ketenagakerjaan protects your work: work accidents "
            "(JKK), death (JKM) and old-age savings (JHT). It does not pay for ordinary illness."
        )
    if topic == "sickness":
        return t(
            "Ordinary illness is not covered by BPJS Ketenagakerjaan. JKK pays for care after a "
            "work accident, at work or on your way between home and work."
        )
    if topic == "no_ktp":
        return t(
            "No KTP at hand? Your NIK is also on your family card (Kartu Keluarga). What you have "
            "answered so far is kept: come back to this chat any time and we go on from here."
        )
    if topic == "eligible":
        return t(
            "Anyone who earns money working for themselves can join: traders, ojek drivers, "
            "farmers, fishers and more. It is not only for office workers. You need your KTP."
        )
    return t(
        "Pension (JP) and job-loss (JKP) programs are not available to independent workers. For "
        "old age you can add JHT savings."
    )


# --- income the worker described instead of stating ------------------------------------------

_PER = {"day": N_("a day"), "week": N_("a week"), "month": N_("a month"), "year": N_("a year")}


def income_check(t: Translator, income: IncomeReading) -> str:
    """The monthly income worked out from what the worker said, with the arithmetic, as a
    question to confirm."""
    monthly = t.money(income.monthly or 0)
    figures = income.figures
    if income.how in ("day", "week") and figures:
        unit = t("days") if income.how == "day" else t("weeks")
        said = t(
            "{amount} {per} × {n} {unit} = {monthly} a month.",
            amount=t.money(figures[0].amount),
            per=t(_PER[income.how]),
            n=income.factor,
            unit=unit,
            monthly=monthly,
        )
    elif income.how == "year" and figures:
        said = t(
            "{amount} a year ÷ 12 months = {monthly} a month.",
            amount=t.money(figures[0].amount),
            monthly=monthly,
        )
    elif income.how in ("range", "seasonal") and len(figures) >= 2:
        per_key = figures[0].per or "month"
        per = t(_PER[per_key])
        low, high = min(f.amount for f in figures), max(f.amount for f in figures)
        if per_key in ("day", "week") and income.factor:  # show the step to a month too
            said = t(
                "Between {low} and {high} {per}: on average {average} {per} × {n} {unit} = "
                "{monthly} a month.",
                low=t.money(low),
                high=t.money(high),
                per=per,
                average=t.money(round((income.monthly or 0) / income.factor)),
                n=income.factor,
                unit=t("days") if per_key == "day" else t("weeks"),
                monthly=monthly,
            )
        else:
            said = t(
                "Between {low} and {high} {per}: on average {monthly} a month.",
                low=t.money(low),
                high=t.money(high),
                per=per,
                monthly=monthly,
            )
    elif income.how == "profit":
        said = t("From your profit, not your sales: {monthly} a month.", monthly=monthly)
    else:
        said = t("Your income: {monthly} a month.", monthly=monthly)
    return said + " " + t("Is that right?")


def income_help_note(t: Translator, how: str) -> str:
    if how == "minimum_wage":
        return t(
            "The UMR differs from region to region, and I don't know yours. Let's estimate what "
            "you earn."
        )
    if how == "turnover":
        return t(
            "Sales (omzet) are not your income: your income is what is left for you after buying "
            "your goods."
        )
    return t("No problem if it changes: a rough figure is enough.")


def filler_reply(t: Translator, kind: str) -> str:
    """A short reply to a message that answers nothing, before the question is asked again."""
    if kind == "wait":
        return t("Sure, take your time. When you are ready:")
    if kind == "thanks":
        return t("You're welcome!")
    if kind == "greeting":
        return t("Hello!")
    return t("I still need your answer to this:")


def nik_taken_message(t: Translator, rules: Rules, nik: str, reference: str, own: bool) -> str:
    if own:
        return t(
            "The NIK {nik} is already registered (reference {ref}). Do you want to update that "
            "registration with new details?",
            nik=mask(nik),
            ref=reference,
        )
    return t(
        "The NIK {nik} is already registered through this service, so it cannot be registered "
        "again. If it is yours and something must change, call Contact Center {cc}.",
        nik=mask(nik),
        cc=rules.payment.contact_center,
    )


CONSENT = N_(
    "Register now? I will ask your NIK, name, mobile number and address, only to register you; "
    "the law protects them. Choosing Register means you agree."
)

ASSISTED_CONSENT = N_(
    'Read this to the worker: "I will ask for your NIK, name, mobile number and address, only to '
    "register you with BPJS Ketenagakerjaan; the law on personal data protects them. Do you "
    'agree?" By choosing Register you confirm that the worker heard this and agreed.'
)

FAMILY_CONSENT = N_(
    'Read this to your family member: "I will ask your NIK, name, mobile number and address, '
    'only to register you; the law protects them. Do you agree?" By choosing Register you '
    "confirm that they heard this and agreed."
)
ERRORS = {
    "choice.unknown": N_("Please choose one of the options."),
    "choice.stale": N_("That button belongs to an earlier question."),
    "money.format": N_("I couldn't read that amount. Type it like 1,5 juta or 2000000."),
    "occupation.detail": N_("Please describe your work in a few words, e.g. tailor."),
    "occupation.unknown": N_(
        "I don't know that work yet. Choose the one closest to yours, or Other work."
    ),
    "income.nik": N_("That looks like a NIK, not an income. Type your income, e.g. 2 juta."),
    "income.phone": N_(
        "That looks like a phone number, not an income. Type your income, e.g. 2 juta."
    ),
    "name.not_a_name": N_("Please type your full name as on your KTP, e.g. Siti Aminah."),
    "nik.digits": N_("A NIK has only digits. Please type the 16 digits on your KTP."),
    "nik.length": N_("A NIK has exactly 16 digits. Please check your KTP and type it again."),
    "nik.province": N_(
        "The first two digits of that NIK are not a province code. Please check your KTP."
    ),
    "nik.regency": N_(
        "Digits 3 and 4 of that NIK are not a valid area code. Please check your KTP."
    ),
    "nik.date": N_(
        "Digits 7 to 12 of a NIK are the date of birth, and these are not a real date. Please "
        "check your KTP."
    ),
    "nik.serial": N_("The last four digits of a NIK cannot be 0000. Please check your KTP."),
    "date.format": N_("I couldn't read that date. Type it like 17-08-1980."),
    "date.invalid": N_("That date does not exist. Type it like 17-08-1980."),
    "date.future": N_("That date is in the future. Type your date of birth like 17-08-1980."),
    "name.length": N_("Please type your full name as on your KTP, e.g. Siti Aminah."),
    "name.chars": N_("A name has only letters. Please type it as on your KTP, e.g. Siti Aminah."),
    "phone.format": N_("That is not a mobile number. Type it like 0812 3456 7890."),
    "phone.foreign": N_("Please give an Indonesian mobile number, like 0812 3456 7890."),
    "phone.not_mobile": N_(
        "That looks like a landline. Please give a mobile number, like 0812 3456 7890."
    ),
    "phone.not_own": N_("That contact is someone else's. Please share your own number or type it."),
    "address.short": N_(
        "Please write the full address as on your KTP, e.g. Jl. Mawar 5 RT 02/RW 03, Kauman, "
        "Kota Surakarta."
    ),
    "address.long": N_(
        "That address is too long. Please write it shorter: street, RT/RW, village, and "
        "kabupaten or kota."
    ),
    "city.format": N_("Please type the kabupaten or kota, e.g. Kota Surakarta."),
    "email.format": N_(
        "That is not an e-mail address. Type it like nama@gmail.com, or choose Skip."
    ),
    "contact.unexpected": N_("Thanks, but I don't need a contact here."),
    "period.unknown": N_("Please choose how many months, e.g. 1 or 3."),
}


def error_text(t: Translator, code: str) -> str:
    """What is wrong with an answer, with an example."""
    return t(ERRORS.get(code, ERRORS["choice.unknown"]))
