"""Finding a registration, reading it, revealing its NIK or phone (audited), correcting a field.

NIK and phone are masked until a staff member chooses to reveal one; campaigners see them
masked always. Every view of personal data is written to the audit log.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web
from aiosqlite import Row

from bot.staff.console.app import ERROR, FORM, console_of, refuse, render, staff_only, tr, viewer_of
from bot.staff.stats_report import STAGE_LABELS
from conversations.fields import (
    clean_address,
    clean_email,
    clean_name,
    clean_phone,
    display_phone,
    masked_phone,
)
from conversations.i18n import N_
from conversations.nik import mask, parse_nik
from conversations.parsing import Invalid, parse_birth_date
from conversations.rules import ReviewRules
from conversations.steps import flags_for
from conversations.understanding.regions import place_in_address, region_by_code, region_of_nik
from storage import audit, search
from storage.review import CORRECTABLE, REVIEW_COLUMNS, correct

REVIEW_STATES = {None: N_("to review"), "approved": N_("approved"), "rejected": N_("rejected")}
FIELD_LABELS = {
    "full_name": N_("full name"),
    "birth_date": N_("birth date (DD-MM-YYYY)"),
    "gender": N_("gender (L or P)"),
    "phone": N_("mobile number"),
    "address": N_("address"),
    "email": N_("email"),
}


async def find(request: web.Request) -> web.Response:
    c, viewer = console_of(request), viewer_of(request)
    form = request.get(FORM) or {}
    text = str(form.get("q", "")).strip()[:100]
    found = []
    if text:
        # read on a connection of its own (a name search scans), then a short write for the
        # audit: the workers' messages never wait behind a search
        async with c.db.reading() as conn:
            found = await search.find(conn, text, viewer.scope)
        async with c.db.transaction() as conn:
            await audit.record(
                conn,
                viewer.actor,
                "registration.search",
                {"shown": [row["reference"] for row in found]},
                c.clock(),
            )
    return render(
        request,
        "registrations.html",
        q=text,
        found=found,
        mask=mask,
        masked_phone=masked_phone,
        states=REVIEW_STATES,
    )


async def _details(request: web.Request, reveal: str | None = None) -> web.Response:
    c, viewer = console_of(request), viewer_of(request)
    reference = request.match_info["reference"]
    async with c.db.reading() as conn:
        row = await search.one(conn, reference, viewer.scope)
        if row is None:  # unknown, or not this person's to see: the same answer
            return refuse(request, 404, tr(request, "No such registration."))
        history = await search.revisions(conn, row["id"])
        async with conn.execute(
            "SELECT stage, at FROM funnel_events WHERE session_id = ? ORDER BY at",
            (row["session_id"],),
        ) as cursor:
            steps = list(await cursor.fetchall())
    async with c.db.transaction() as conn:
        action = f"registration.reveal_{reveal}" if reveal else "registration.view"
        await audit.record(conn, viewer.actor, action, {"reference": reference}, c.clock())
    return render(
        request,
        "registration.html",
        r=row,
        history=history,
        steps=steps,
        nik=row["nik"] if reveal == "nik" else mask(row["nik"]),
        phone=display_phone(row["phone"]) if reveal == "phone" else masked_phone(row["phone"]),
        correctable=CORRECTABLE,
        field_labels=FIELD_LABELS,
        states=REVIEW_STATES,
        stage_labels=STAGE_LABELS,
        error=request.get(ERROR),
    )


async def details(request: web.Request) -> web.Response:
    return await _details(request)


@staff_only
async def reveal(request: web.Request) -> web.Response:
    field = str(request[FORM].get("field", ""))
    return await _details(request, field if field in ("nik", "phone") else None)


def _cleaned(field: str, value: str, today: date) -> str | None:
    """The corrected value as the bot itself would store it; Invalid if it is not one."""
    value = value.strip()
    if field == "full_name":
        return clean_name(value)
    if field == "phone":
        return clean_phone(value)
    if field == "address":
        return clean_address(value)
    if field == "email":
        return clean_email(value) if value else None
    if field == "gender":
        if value not in ("L", "P"):
            raise Invalid("gender")
        return value
    return parse_birth_date(value, today).isoformat()  # birth_date


def _follows(row: Row, field: str, value: str | None, today: date, review: ReviewRules) -> dict:
    """What changes with a corrected field: an address's region (read as the bot reads it,
    the NIK's region as the hint); a birth date's or gender's flags, and the review again."""
    if field == "address" and value:
        place = place_in_address(value, region_of_nik(row["nik"]))
        region = place.region or region_by_code(row["city_code"] or "")
        district = place.district if place.district and place.district.region == region else None
        return {
            "city": region.name if region else row["city"],
            "city_code": region.code if region else row["city_code"],
            "district": district.name if district else None,
            "district_code": district.code if district else None,
        }
    if field in ("birth_date", "gender"):
        born = date.fromisoformat(value if field == "birth_date" else row["birth_date"])
        gender = value if field == "gender" else row["gender"]
        nik = parse_nik(row["nik"], today)
        unlike = (born, gender) != (nik.birth_date, nik.gender)
        flags = flags_for(born, unlike, today, review)
        return {"review_flags": " ".join(flags), **dict.fromkeys(REVIEW_COLUMNS)}
    return {}


@staff_only
async def correct_field(request: web.Request) -> web.StreamResponse:
    c, viewer = console_of(request), viewer_of(request)
    reference, form = request.match_info["reference"], request[FORM]
    field = str(form.get("field", ""))
    if field not in CORRECTABLE:
        return refuse(request, 400, tr(request, "That field cannot be corrected here."))
    today = c.clock().astimezone(c.settings.zone).date()
    try:
        value = _cleaned(field, str(form.get("value", ""))[:300], today)
    except Invalid:
        request[ERROR] = tr(request, "That value is not valid for this field.")
        return await _details(request)
    async with c.db.reading() as conn:
        row = await search.one(conn, reference, viewer.scope)
    if row is None:
        return refuse(request, 404, tr(request, "No such registration."))
    changes = {field: value, **_follows(row, field, value, today, c.rules.review)}
    async with c.db.transaction() as conn:
        done = await correct(conn, reference, changes, c.clock(), viewer.scope)
        if done:
            await audit.record(
                conn,
                viewer.actor,
                "registration.correct",
                {"reference": reference, "field": field},
                c.clock(),
            )
    if not done:
        return refuse(request, 404, tr(request, "No such registration."))
    raise web.HTTPSeeOther(f"/staff/pendaftaran/{reference}")


def routes(app: web.Application) -> None:
    app.router.add_get("/pendaftaran", find)
    app.router.add_post("/pendaftaran", find)
    app.router.add_get("/pendaftaran/{reference}", details)
    app.router.add_post("/pendaftaran/{reference}/tampilkan", reveal)
    app.router.add_post("/pendaftaran/{reference}/koreksi", correct_field)
