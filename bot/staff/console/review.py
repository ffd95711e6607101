"""The review queue: flagged registrations (over 65, under 17, birth date unlike the NIK's);
staff approve one, or reject it with a reason the worker is told in their chat."""

from __future__ import annotations

from aiohttp import web

from bot.channels.messenger import Unreachable
from bot.staff.console.app import FORM, console_of, refuse, render, staff_only, t_of, viewer_of
from bot.staff.notices import review_notice
from conversations.i18n import N_
from storage import audit, search
from storage.review import decide

FLAG_LABELS = {
    "age_over_65": N_("older than 65"),
    "age_under_17": N_("younger than 17"),
    "birth_differs_from_nik": N_("birth date or gender unlike the NIK's"),
}


@staff_only
async def queue(request: web.Request) -> web.Response:
    c, viewer = console_of(request), viewer_of(request)
    async with c.db.reading() as conn:
        waiting = await search.to_review(conn, viewer.scope)
    return render(
        request,
        "review.html",
        waiting=waiting,
        flag_labels=FLAG_LABELS,
        told=request.query.get("told"),
        done=request.query.get("done"),
    )


@staff_only
async def decide_one(request: web.Request) -> web.StreamResponse:
    c, viewer, t = console_of(request), viewer_of(request), t_of(request)
    reference, form = request.match_info["reference"], request[FORM]
    decision = {"approve": "approved", "reject": "rejected"}.get(str(form.get("decision")))
    reason = " ".join(str(form.get("reason", "")).split())[:300]
    if decision is None:
        return refuse(request, 400, t("Choose approve or reject."))
    if decision == "rejected" and len(reason) < 5:
        return refuse(request, 400, t("Say why it is rejected: the worker is told."))
    now = c.clock()
    async with c.db.transaction() as conn:
        worker = await decide(conn, reference, decision, reason, viewer.actor, now, viewer.scope)
        if worker is None:
            return refuse(
                request, 404, t("That registration was decided already, or is not yours.")
            )
    text = review_notice(worker, decision, reason, c.rules.payment.contact_center)
    try:  # not to a worker who withdrew consent
        told = not worker.erased and await c.tell(worker.channel, worker.user_key, text)
    except Unreachable:  # blocked the bot: the page says to call
        told = False
    who = "campaigner" if worker.assisted_by else "family" if worker.by_family else "worker"
    async with c.db.transaction() as conn:
        await audit.record(
            conn,
            viewer.actor,
            f"review.{decision}",
            {"reference": reference, "told": who if told else None},
            now,
        )
    raise web.HTTPSeeOther(f"/staff/tinjauan?done={reference}&told={who if told else 'no'}")


def routes(app: web.Application) -> None:
    app.router.add_get("/tinjauan", queue)
    app.router.add_post("/tinjauan/{reference}", decide_one)
