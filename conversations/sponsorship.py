"""A sponsored program in the conversation (issue 14): a worker brought by its campaign, or
whose NIK is on the sponsor's list, is told the premium is paid for them, and for how long; one
who does not qualify, or comes when the seats are taken, is told so kindly and registers paying
for themselves. The seat is taken when the registration is saved, in its transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from .content import programs_label
from .i18n import Translator
from .model import SponsorOffer, Sponsorship
from .premium import MonthPremium, Quote, add_months, month_premium, quote
from .rules import Rules, Sector
from .turn import Turn


def offered(turn: Turn) -> tuple[Sponsorship, ...]:
    """The programs that may pay for this worker, best first (storage/sponsors.py offers)."""
    s = turn.session
    return turn.ctx.lookup(SponsorOffer(s.campaign, turn.answers.nik, s.update_reference))


def sponsor_premium(
    rules: Rules, program: Sponsorship, sector: Sector, month: date
) -> MonthPremium:
    """What the sponsor pays for one month: on its declared income, its programs, and the
    PP 50/2025 discount only where its kind gets it."""
    kind = rules.sponsor_kind(program.kind)
    return month_premium(
        rules,
        program.declared_income,
        sector,
        program.with_jht,
        month,
        discounted=kind.discount if kind else False,
    )


def paid_for(turn: Turn) -> Sponsorship | None:
    """The program paying for this worker: the first offered that they qualify for, checked
    again now (seats left). A change since they were told is said: a new program, or a kind
    "sorry" when none pays, and they go on paying for themselves."""
    s, a = turn.session, turn.answers
    refused: tuple[Sponsorship, str] | None = None
    undecided = False
    for program in offered(turn):
        why = program.refuses(a.occupation, a.city_code)
        if why == "list" and a.nik is None:
            undecided = True  # its list decides once the NIK is known
        elif why is None:
            if s.sponsor != program.code and not program.held:
                turn.note(paid_message(turn, program))
            s.sponsor = program.code
            return program
        elif refused is None:
            refused = (program, why)
    if refused and not undecided:
        program, why = refused
        _sorry(turn, f"{program.code}:{why}", refusal(turn.t, program, why))
    elif s.sponsor and not undecided:  # told it pays; it has ended or closed since
        text = turn.t(
            "The program that was to pay for you has ended. You can still join and pay for "
            "yourself:"
        )
        _sorry(turn, f"{s.sponsor}:ended", text)
    s.sponsor = None
    return None


def _sorry(turn: Turn, told: str, text: str) -> None:
    """Say why no sponsor pays, once for the same program and reason: a worker who corrects an
    answer (their work, their NIK) is checked again and may qualify."""
    if turn.session.sponsor_told != told:
        turn.session.sponsor_told = told
        turn.note(text)


def first_month(program: Sponsorship, today: date) -> date:
    return max(program.start, today.replace(day=1))


def _sector(turn: Turn) -> Sector:
    a = turn.answers
    return turn.ctx.rules.sector_of(a.occupation or "lainnya", a.occupation_detail)


def monthly(turn: Turn, program: Sponsorship) -> int:
    """What the sponsor pays a month for this worker, from their first month."""
    start = first_month(program, turn.ctx.today)
    return sponsor_premium(turn.ctx.rules, program, _sector(turn), start).total


def sponsored_quote(turn: Turn, program: Sponsorship) -> Quote:
    """The first month the sponsor pays, priced as it pays it (its income and programs; the
    discount only where its kind gets it): what the registration records."""
    rules, start = turn.ctx.rules, first_month(program, turn.ctx.today)
    q = quote(rules, program.declared_income, _sector(turn), program.with_jht, start)
    kind = rules.sponsor_kind(program.kind)
    if kind is None or kind.discount:
        return q
    priced = (sponsor_premium(rules, program, _sector(turn), start),)
    return replace(q, months=priced, discount_rule=None)


def _own_premium(turn: Turn, program: Sponsorship, month: date) -> int:
    """What the worker pays once the sponsor stops: on the same income, for the same programs."""
    rules = turn.ctx.rules
    return month_premium(
        rules, program.declared_income, _sector(turn), program.with_jht, month
    ).total


def paid_message(turn: Turn, program: Sponsorship) -> str:
    """Rp0 for the worker, what the sponsor pays, until when, and what comes after."""
    t = turn.t
    after = add_months(program.end, 1)
    return t(
        "Good news: {sponsor} pays your premium from {start} to {end}: Rp0 for you ({sponsor} "
        "pays {amount} a month). From {after}, to stay protected, you pay {own} a month "
        "yourself.",
        sponsor=program.sponsor,
        start=t.month(first_month(program, turn.ctx.today)),
        end=t.month(program.end),
        amount=t.money(monthly(turn, program)),
        after=t.month(after),
        own=t.money(_own_premium(turn, program, after)),
    )


def paid_ending(turn: Turn, program: Sponsorship) -> str:
    """The ending for a sponsored worker: nothing to pay until the program's last month, then
    how much, and how to pay, to stay protected."""
    t, pay = turn.t, turn.ctx.rules.payment
    after = add_months(program.end, 1)
    return t(
        "{sponsor} pays your premium until {end}: you pay nothing until then. From {after}, pay "
        "{own} every month by saying your NIK at {channels}. Not paying {months} months in a row: "
        "no protection until you pay again.",
        sponsor=program.sponsor,
        end=t.month(program.end),
        after=t.month(after),
        own=t.money(_own_premium(turn, program, after)),
        channels=", ".join(pay.channels[:3]),
        months=pay.inactive_after_unpaid_months,
    )


def summary_line(turn: Turn, program: Sponsorship) -> str:
    t = turn.t
    return t(
        "{programs}: Rp0 for you, paid by {sponsor} ({amount} a month) until {end}",
        programs=programs_label(t, program.with_jht),
        sponsor=program.sponsor,
        amount=t.money(monthly(turn, program)),
        end=t.month(program.end),
    )


def refusal(t: Translator, program: Sponsorship, why: str) -> str:
    """Kindly: why the sponsor does not pay for this worker, and that they can still join."""
    reason = {
        "list": t("only for the people on {sponsor}'s list", sponsor=program.sponsor),
        "occupation": t("only for some kinds of work"),
        "region": t("only for workers living in its region"),
        "seats": t("full: all its places are taken"),
    }[why]
    return t(
        "Sorry, the program paid by {sponsor} is {reason}. You can still join and pay for "
        "yourself:",
        sponsor=program.sponsor,
        reason=reason,
    )
