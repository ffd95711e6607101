"""The dashboard: the funnel for a chosen period, split by a dimension, and sign-ups per day.
Counts only, no personal data; a campaigner sees their own campaigns' counts."""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web

from bot.staff.console.app import console_of, day, render, t_of, viewer_of
from bot.staff.graphics import funnel_chart
from bot.staff.stats_report import STAGE_LABELS
from conversations.i18n import N_
from storage.stats import DIMENSIONS, STAGES, Funnel, funnel
from storage.times import day_start

PERIODS = (7, 30, 90)
DIMENSION_LABELS = {
    "occupation": N_("occupation"),
    "channel": N_("channel"),
    "campaign": N_("campaign"),
    "campaigner": N_("campaigner"),
    "branch": N_("branch"),
}


def _period(request: web.Request) -> tuple[int, date, date]:
    """The dates chosen (`dari`, `sampai`, local, at most a year), or else the last `hari` days
    up to today (30 unless another is chosen)."""
    c, query = console_of(request), request.query
    today = c.clock().astimezone(c.settings.zone).date()
    since, until = day(query.get("dari", "")), day(query.get("sampai", ""))
    if since and until and since <= until <= since + timedelta(days=366):
        return (until - since).days + 1, since, until
    days = int(query.get("hari", "30")) if query.get("hari", "").isdigit() else 30
    days = days if days in PERIODS else 30
    return days, today - timedelta(days=days - 1), today


async def _counts(request: web.Request, since: date, until: date) -> Funnel:
    """The funnel a viewer may see: a branch's staff their branch's (as in every page)."""
    c, branch = console_of(request), viewer_of(request).branch
    async with c.db.reading() as conn:
        return await funnel(
            conn,
            day_start(since, c.settings.zone),
            day_start(until + timedelta(days=1), c.settings.zone),
            branch=branch,
        )


async def _per_day(request: web.Request, since: date) -> list[tuple[str, int]]:
    """Registrations per local day in the viewer's scope."""
    c, viewer = console_of(request), viewer_of(request)
    allowed, params = viewer.scope.where()
    offset = c.clock().astimezone(c.settings.zone).utcoffset() or timedelta()
    hours = f"{offset.total_seconds() / 3600:+.0f}"
    day = c.db.dialect.day_at_offset.format("r.created_at")
    async with (
        c.db.reading() as conn,
        conn.execute(
            f"""SELECT {day} AS day, count(*) FROM registrations r
                WHERE r.created_at >= ? AND {allowed} GROUP BY day ORDER BY day""",
            (hours, day_start(since, c.settings.zone), *params),
        ) as cursor,
    ):
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def dashboard(request: web.Request) -> web.Response:
    days, since, until = _period(request)
    viewer = viewer_of(request)
    split = request.query.get("per", "occupation")
    split = split if split in DIMENSIONS else "occupation"
    counts = await _counts(request, since, until)
    groups = sorted(counts.by[split].items(), key=lambda item: (-item[1][0], item[0]))
    if not viewer.is_staff:  # a campaigner: only the groups that are theirs
        mine = viewer.person.code
        groups = [g for g in groups if split == "campaigner" and g[0] == mine]
    per_day = await _per_day(request, since)
    return render(
        request,
        "dashboard.html",
        days=days,
        periods=PERIODS,
        dari=request.query.get("dari", "")[:10],
        sampai=request.query.get("sampai", "")[:10],
        since=since,
        until=until,
        split=split,
        dimensions=DIMENSIONS if viewer.is_staff else ("campaigner",),
        dimension_labels=DIMENSION_LABELS,
        stages=[(STAGE_LABELS[s], n) for s, n in zip(STAGES, counts.total, strict=True)]
        if viewer.is_staff
        else [],
        groups=groups,
        per_day=per_day,
        most=max((n for _, n in per_day), default=0),
    )


async def chart(request: web.Request) -> web.Response:
    _, since, until = _period(request)
    t = t_of(request)
    if not viewer_of(request).is_staff:
        raise web.HTTPForbidden()
    counts = await _counts(request, since, until)
    png = funnel_chart(
        t("Conversations, {since} – {until}", since=t.date(since), until=t.date(until)),
        [(t(STAGE_LABELS[s]), n) for s, n in zip(STAGES, counts.total, strict=True)],
    )
    return web.Response(body=png, content_type="image/png")


def routes(app: web.Application) -> None:
    app.router.add_get("/", dashboard)
    app.router.add_get("/grafik.png", chart)
