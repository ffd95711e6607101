"""Payment reminders for members who asked for them: which are due today (conversations/
reminders.py), worded with that month's amount, queued in the outbox that the running `serve`
or `telegram` process sends in the daytime (bot/channels/outbox.py).

Planning reads on a read-only connection and queues in short write transactions, so the chat
is never held up, and it can run in every process at once: `storage.reminders.queue` checks
again under the write lock that a reminder is still wanted and not queued already.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from bot.channels.whatsapp_templates import params_for
from bot.staff.notices import reminder_notice
from conversations import Rules
from conversations.i18n import translator
from conversations.premium import month_premium
from conversations.reminders import WEEK, Reminder, reminder_due
from storage import Database, reminders
from storage.reminders import Candidate, Queued

CHUNK = 500  # reminders queued per write transaction


async def plan_reminders(db: Database, rules: Rules, now: datetime, zone: ZoneInfo) -> int:
    """Queue every reminder due now; how many were queued."""
    today = now.astimezone(zone).date()
    async with db.reading() as conn:
        members = await reminders.candidates(conn)
    due = []
    for member in members:
        # a sponsor's months count as paid, even before an import says so
        paid = max((m for m in (member.paid_until, member.sponsored_until) if m), default=None)
        reminder = reminder_due(
            today, paid, member.starts_on, rules.payment.inactive_after_unpaid_months
        )
        if reminder is None or member.last_month == reminder.month:
            continue
        if member.last_at and now - member.last_at < WEEK:
            continue  # one came this week: this one waits (its month's window is long)
        due.append(_queued(member, reminder, rules))
    queued = 0
    for start in range(0, len(due), CHUNK):
        chunk = due[start : start + CHUNK]
        queued += await db.run(partial(reminders.queue, items=chunk, now=now, week=WEEK))
    return queued


def amount_for(member: Candidate, month: date, rules: Rules) -> int:
    """The premium of that month for this member: discounts start and end by month."""
    sector = rules.sector_of(member.occupation, member.occupation_detail)
    with_jht = "JHT" in member.programs
    return month_premium(rules, member.income_declared, sector, with_jht, month).total


def _queued(member: Candidate, reminder: Reminder, rules: Rules) -> Queued:
    amount = amount_for(member, reminder.month, rules)
    name = member.full_name if member.by_family else None
    text = reminder_notice(member.lang, reminder, amount, rules, name)
    # outside WhatsApp's window: the approved template, in Indonesian
    t = translator("id")
    key = f"reminder_{reminder.kind}" + ("_for" if name else "")
    params = params_for(
        key,
        {
            "name": member.full_name,
            "month": t.month(reminder.month),
            "unpaid": t.months(reminder.unpaid),
            "months": rules.payment.inactive_after_unpaid_months,
            "amount": t.money(amount),
            "channels": ", ".join(rules.payment.channels[:3]),
        },
    )
    return Queued(
        member.registration_id,
        member.reference,
        reminder.month,
        member.channel,
        member.user_key,
        text,
        key,
        params,
    )
