"""When a member who asked for payment reminders gets one, and about which month: pure rules, so
the scheduler (bot/channels/reminders.py) and the tests share them.

The month a premium is due in is not confirmed (bpu-facts.md section 1), so a reminder names the
month and its amount, never a due date. It comes LEAD_DAYS before that month starts:
- the first unpaid month and the one after it: a plain reminder;
- the third unpaid month in a row: a warning, since after it the membership becomes non-active;
- after that nothing: `status` says the member is not protected and how to come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from .premium import add_months

LEAD_DAYS = 3  # a reminder this many days before the month it is about begins
WEEK = timedelta(days=7)  # never two reminders closer than this


@dataclass(frozen=True)
class Reminder:
    kind: Literal["due", "last"]  # "last": the third unpaid month, protection ends after it
    month: date  # the first day of the month it is about
    unpaid: tuple[date, ...]  # months before it not paid for (a "last" names them)


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def reminder_due(
    today: date, paid_until: date | None, starts_on: date | None, inactive_after: int
) -> Reminder | None:
    """The reminder a member is due today, if any. `paid_until` is the first day of the last
    month paid for; with nothing paid yet, the first month to pay is the one the membership
    starts in."""
    if paid_until is not None:
        first_unpaid = add_months(paid_until, 1)
    elif starts_on is not None:
        first_unpaid = starts_on.replace(day=1)
    else:
        return None  # accepted without a start date: no month to name
    upcoming = (today + timedelta(days=LEAD_DAYS)).replace(day=1)
    behind = months_between(first_unpaid, upcoming)  # unpaid months before `upcoming`
    if behind < 0 or behind >= inactive_after:
        return None  # paid ahead, or non-active already
    unpaid = tuple(add_months(first_unpaid, i) for i in range(behind))
    kind: Literal["due", "last"] = "last" if behind == inactive_after - 1 else "due"
    return Reminder(kind, upcoming, unpaid)
