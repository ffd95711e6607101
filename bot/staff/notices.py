"""What a worker is told outside a conversation, worded for whoever reads it in that chat: the
worker, or the campaigner or family member who registered them and passes it on."""

from __future__ import annotations

from conversations import Rules
from conversations.i18n import translator
from conversations.reminders import Reminder
from storage.memberships import Standing
from storage.review import Worker


def review_notice(worker: Worker, decision: str, reason: str, cc: str) -> str:
    """The decision, worded for whoever reads it in that chat: the worker, or the campaigner
    or family member who registered them and passes it on."""
    t, reference = translator(worker.lang), worker.reference
    if worker.assisted_by or worker.by_family:
        outcome = (
            t("accepted: it goes on to BPJS Ketenagakerjaan")
            if decision == "approved"
            else t("not accepted: {reason}; they should not pay", reason=reason)
        )
        return t(
            "The registration {ref} you made for {name} was checked by our staff: {outcome}. "
            "Please tell them.",
            ref=reference,
            name=worker.full_name,
            outcome=outcome,
        )
    if decision == "approved":
        return t(
            "Our staff have checked your registration {ref}: it goes on to BPJS "
            "Ketenagakerjaan. Check your status with your NIK in JMO or by phone at {cc}; once "
            "registered, pay every month by saying your NIK.",
            ref=reference,
            cc=cc,
        )
    return t(
        "Our staff could not accept your registration {ref}: {reason}. Don't pay. Questions? "
        "Call {cc}.",
        ref=reference,
        reason=reason,
        cc=cc,
    )


def result_notice(worker: Worker, standing: Standing, rules: Rules) -> str:
    """The main membership system's answer: accepted (the KPJ, what it is for, the card, how to
    pay) or rejected (why, and what to do)."""
    t, ref, pay = translator(worker.lang), worker.reference, rules.payment
    for_someone = worker.assisted_by or worker.by_family
    if standing.state == "rejected":
        text = t(
            "BPJS Ketenagakerjaan did not accept the registration {ref}: {reason}. Don't pay. "
            "Call {cc} to ask what to do.",
            ref=ref,
            reason=standing.reason or "-",
            cc=pay.contact_center,
        )
    elif worker.sponsor and worker.sponsored_until:  # told in the chat: the sponsor pays
        text = t(
            "Good news: BPJS Ketenagakerjaan accepted the registration {ref}. Membership number "
            "(KPJ): {kpj}. Keep it: it is asked for in claims and shown in the JMO app. {sponsor} "
            "pays the premium until {end}.",
            ref=ref,
            kpj=standing.kpj or "-",
            sponsor=worker.sponsor,
            end=t.month(worker.sponsored_until),
        )
    else:
        text = t(
            "Good news: BPJS Ketenagakerjaan accepted the registration {ref}. Membership number "
            "(KPJ): {kpj}. Keep it: it is asked for in claims and shown in the JMO app. Pay every "
            "month by saying the NIK; the card comes at most {days} days after paying.",
            ref=ref,
            kpj=standing.kpj or "-",
            days=pay.card_days_after_payment,
        )
    if for_someone:
        text += " " + t("(For {name}: please tell them.)", name=worker.full_name)
    return text


def reminder_notice(
    lang: str, reminder: Reminder, amount: int, rules: Rules, for_name: str | None
) -> str:
    """A payment reminder: the month, its amount (discounts end), how to pay, and how to stop;
    before the third unpaid month, that protection ends after it."""
    t, pay = translator(lang), rules.payment
    month, money = t.month(reminder.month), t.money(amount)
    channels = ", ".join(pay.channels[:3])
    if reminder.kind == "last":
        text = t(
            "BPJS Ketenagakerjaan: the premium for {unpaid} is not recorded as paid. Not paying "
            "{months} months in a row: no protection until you pay again. {month}: {amount}. "
            "Pay by saying the NIK at {channels}.",
            unpaid=t.months(reminder.unpaid),
            months=pay.inactive_after_unpaid_months,
            month=month,
            amount=money,
            channels=channels,
        )
    else:
        text = t(
            "BPJS Ketenagakerjaan payment reminder for {month}: {amount}. Pay by saying the NIK "
            "at {channels}.",
            month=month,
            amount=money,
            channels=channels,
        )
    if for_name:
        text = t("For {name}.", name=for_name) + " " + text
    return text + " " + t("Paid already? Then ignore this. No more reminders? Reply STOP.")
