"""Signing in with a one-time link from the chat, signing out, and the language."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from bot.staff.console.app import (
    COOKIE,
    LANG_COOKIE,
    console_of,
    refuse,
    render,
    tr,
    viewer_of,
)
from storage import audit, console, people
from storage.console import SESSION_LIFETIME


async def link_page(request: web.Request) -> web.Response:
    """The link only shows a button: chat apps open links to preview them, and a preview must
    not use up the link. Pressing the button signs in."""
    return render(request, "signin.html", token=request.match_info["token"])


def _from_elsewhere(request: web.Request) -> bool:
    """A sign-in posted by another site (login CSRF: it would sign this browser in as the
    attacker's campaigner). Browsers say where a request comes from; our own page is same-origin."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.host


async def sign_in(request: web.Request) -> web.StreamResponse:
    c = console_of(request)
    if _from_elsewhere(request):
        return refuse(request, 403, tr(request, "Sign in from the link the bot sent you."))
    token = str((await request.post()).get("token", ""))[:100]
    now = c.clock()
    async with c.db.transaction() as conn:
        who = await console.use_link(conn, token, now)
        person = who and await people.get(conn, who[0], who[1])
        if not (who and person and person.active):
            return refuse(
                request,
                403,
                tr(
                    request,
                    "This sign-in link has expired or was used already. Ask the bot for a new "
                    "one: send /masuk in the chat.",
                ),
            )
        session_id, _ = await console.open_session(conn, who[0], person.id, now)
        await audit.record(
            conn, f"console:{who[0]}:{person.id}:{person.name}", "console.sign_in", {}, now
        )
    response = web.HTTPSeeOther("/staff/")
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/staff",
        httponly=True,
        samesite="Lax",  # Strict would drop it when staff follow a link from the chat
        secure=(c.settings.public_url or "").startswith("https://"),
    )
    raise response


async def sign_out(request: web.Request) -> web.StreamResponse:
    c, viewer = console_of(request), viewer_of(request)
    async with c.db.transaction() as conn:
        await console.close_session(conn, request.cookies.get(COOKIE, ""))
        await audit.record(conn, viewer.actor, "console.sign_out", {}, c.clock())
    response = web.HTTPSeeOther("/staff/keluar/selesai")
    response.del_cookie(COOKIE, path="/staff")
    raise response


async def signed_out(request: web.Request) -> web.Response:
    return render(request, "signed_out.html", done=True)


async def language(request: web.Request) -> web.StreamResponse:
    lang = request.match_info["lang"]
    back = request.query.get("next", "/staff/")
    response = web.HTTPSeeOther(back if back.startswith("/staff/") else "/staff/")
    if lang in ("id", "en"):
        response.set_cookie(LANG_COOKIE, lang, path="/staff", httponly=True, samesite="Lax")
    raise response


def routes(app: web.Application) -> None:
    app.router.add_get("/masuk/{token}", link_page)
    app.router.add_post("/masuk", sign_in)
    app.router.add_post("/keluar", sign_out)
    app.router.add_get("/keluar/selesai", signed_out)
    app.router.add_get("/bahasa/{lang}", language)
