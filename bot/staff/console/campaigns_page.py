"""Campaigns: their links, sign-up counts, QR codes and the A4 poster (a vector PDF); staff
create and close them and add or remove campaigners. A campaigner sees their own campaigns."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.staff.campaign_assets import campaign_links, poster_campaigner, poster_text
from bot.staff.console.app import (
    ERROR,
    FORM,
    console_of,
    day,
    refuse,
    render,
    staff_only,
    t_of,
    tr,
    viewer_of,
)
from bot.staff.console.viewer import Viewer
from bot.staff.graphics import poster, qr_png
from conversations.fields import clean_phone
from conversations.parsing import Invalid
from storage import audit, campaigns, people, sql
from storage.campaigns import Campaign


def _visible(viewer: Viewer, campaign: Campaign) -> bool:
    if not viewer.is_staff:
        return campaign.campaigner_id == viewer.person.id
    return viewer.branch is None or campaign.branch == viewer.branch


async def _mine(request: web.Request) -> list[Campaign]:
    viewer = viewer_of(request)
    async with console_of(request).db.reading() as conn:
        found = await campaigns.listing(conn)
    return [c for c in found if _visible(viewer, c)]


async def page(request: web.Request) -> web.Response:
    c, viewer = console_of(request), viewer_of(request)
    shown = await _mine(request)
    async with c.db.reading() as conn:
        async with conn.execute(
            "SELECT campaign, count(*) FROM registrations WHERE campaign IS NOT NULL"
            " GROUP BY campaign"
        ) as cursor:
            counts = dict(await cursor.fetchall())
        helpers = await people.listing(conn, "campaigner") if viewer.is_staff else []
    t = t_of(request)
    links = {}
    for campaign in shown:
        try:
            links[campaign.code] = campaign_links(c.settings, t, campaign.code).pairs()
        except ValueError:  # no channel set up for links
            links[campaign.code] = []
    return render(
        request,
        "campaigns.html",
        campaigns=shown,
        counts=counts,
        links=links,
        helpers=helpers,
        today=c.clock().astimezone(c.settings.zone).date(),
        error=request.get(ERROR),
    )


def _field(form: Mapping[str, object], name: str, limit: int = 80) -> str:
    return str(form.get(name, "")).strip()[:limit]


@staff_only
async def create(request: web.Request) -> web.StreamResponse:
    c, viewer, form = console_of(request), viewer_of(request), request[FORM]
    name, place = str(form.get("name", "")).strip()[:80], str(form.get("place", "")).strip()[:80]
    branch = (
        str(form.get("branch", "")).strip()[:60] if viewer.person.admin else viewer.person.branch
    )
    today = c.clock().astimezone(c.settings.zone).date()
    starts, ends = day(str(form.get("starts", ""))) or today, day(str(form.get("ends", "")))
    if not (name and place and branch) or (ends and ends < starts):
        request[ERROR] = tr(request, "Give a name, a place and a branch; the end after the start.")
        return await page(request)
    async with c.db.transaction() as conn:
        helper = None
        if code := str(form.get("campaigner", "")).strip():
            helper = await people.campaigner_by_code(conn, code)
            if helper is None or not helper.active:
                request[ERROR] = tr(request, "No active campaigner has that code.")
                return await page(request)
        made = await campaigns.create(
            conn, name=name, place=place, branch=branch,
            campaigner_id=helper.id if helper else None, starts_on=starts, ends_on=ends,
            actor=viewer.actor, now=c.clock(),
        )  # fmt: skip
        await audit.record(conn, viewer.actor, "campaign.create", {"code": made.code}, c.clock())
    raise web.HTTPSeeOther("/staff/kampanye")


@staff_only
async def close(request: web.Request) -> web.StreamResponse:
    c, viewer, code = console_of(request), viewer_of(request), request.match_info["code"]
    async with c.db.transaction() as conn:
        found = await campaigns.get(conn, code)
        if found is None or not _visible(viewer, found):
            return refuse(request, 404, tr(request, "No such campaign."))
        await campaigns.close(conn, code, c.clock())
        await audit.record(conn, viewer.actor, "campaign.close", {"code": code}, c.clock())
    raise web.HTTPSeeOther("/staff/kampanye")


async def _campaign(request: web.Request) -> Campaign | None:
    async with console_of(request).db.reading() as conn:
        found = await campaigns.get(conn, request.match_info["code"])
    return found if found and _visible(viewer_of(request), found) else None


async def poster_pdf(request: web.Request) -> web.StreamResponse:
    c = console_of(request)
    found = await _campaign(request)
    if found is None:
        return refuse(request, 404, tr(request, "No such campaign."))
    t = t_of(request)
    try:
        links = campaign_links(c.settings, t, found.code)
    except ValueError:
        return refuse(request, 409, tr(request, "No channel is set up for campaign links."))
    async with c.db.reading() as conn:
        helper = await poster_campaigner(conn, found)
    today = c.clock().astimezone(c.settings.zone).date()
    pdf = poster(poster_text(t, c.rules, today, found, links, helper))
    return web.Response(
        body=pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{found.code}-poster.pdf"'},
    )


async def qr(request: web.Request) -> web.StreamResponse:
    found = await _campaign(request)
    if found is None:
        return refuse(request, 404, tr(request, "No such campaign."))
    try:
        pairs = dict(
            campaign_links(console_of(request).settings, t_of(request), found.code).pairs()
        )
    except ValueError:
        pairs = {}
    link = pairs.get(request.match_info["channel"])
    if link is None:
        return refuse(request, 404, tr(request, "No such campaign."))
    return web.Response(body=qr_png(link), content_type="image/png")


@staff_only
async def add_campaigner(request: web.Request) -> web.StreamResponse:
    c, viewer, form = console_of(request), viewer_of(request), request[FORM]
    name, code = _field(form, "name"), _field(form, "code", 40)
    telegram = str(form.get("telegram_id", "")).strip()
    try:
        phone = clean_phone(str(form.get("phone", ""))) if form.get("phone") else None
    except Invalid:
        request[ERROR] = tr(request, "That is not an Indonesian mobile number.")
        return await page(request)
    if not (name and code) or not (phone or telegram.isdecimal()):
        request[ERROR] = tr(
            request, "Give a name, their code, and a Telegram id or an Indonesian mobile number."
        )
        return await page(request)
    try:
        async with c.db.transaction() as conn:
            added = await people.add(
                conn,
                "campaigner",
                name,
                telegram or None,
                phone,
                viewer.actor,
                c.clock(),
                code=code,
            )
            await audit.record(conn, viewer.actor, "campaigner.add", {"id": added}, c.clock())
    except sql.IntegrityError:
        request[ERROR] = tr(request, "A campaigner with this code or number exists already.")
        return await page(request)
    raise web.HTTPSeeOther("/staff/kampanye")


@staff_only
async def remove_campaigner(request: web.Request) -> web.StreamResponse:
    """An administrator removes any campaigner; a branch's staff one whose campaigns are all
    their branch's."""
    c, viewer = console_of(request), viewer_of(request)
    person_id = int(request.match_info["id"])
    async with c.db.transaction() as conn:
        helper = await people.get(conn, "campaigner", person_id)
        if helper is None:
            return refuse(request, 404, tr(request, "No such campaigner."))
        theirs = await campaigns.listing(conn, person_id)
        branch = viewer.person.branch
        if not viewer.person.admin and not (theirs and all(k.branch == branch for k in theirs)):
            return refuse(request, 403, tr(request, "This campaigner works for another branch."))
        await people.deactivate(conn, "campaigner", person_id)
        await audit.record(conn, viewer.actor, "campaigner.remove", {"id": person_id}, c.clock())
    raise web.HTTPSeeOther("/staff/kampanye")


def routes(app: web.Application) -> None:
    app.router.add_get("/kampanye", page)
    app.router.add_post("/kampanye", create)
    app.router.add_post("/kampanye/{code}/tutup", close)
    app.router.add_get("/kampanye/{code}/poster.pdf", poster_pdf)
    app.router.add_get("/kampanye/{code}/qr-{channel}.png", qr)
    app.router.add_post("/petugas-lapangan", add_campaigner)
    app.router.add_post("/petugas-lapangan/{id:[0-9]+}/hapus", remove_campaigner)
