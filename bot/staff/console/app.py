"""The console's aiohttp application: sign-in, the checks every request passes, and rendering.

Every request but the sign-in pages and static files needs a live session of an active person:
the person is read again each time, so someone removed is out at once. Every POST carries the
session's CSRF token. Pages are rendered on the server (Jinja2, autoescaped) and work without
JavaScript; the stylesheet is shipped in the package.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from bot.settings import Settings
from bot.staff.console.viewer import Viewer
from conversations import Rules
from conversations.i18n import Translator, translator
from conversations.text_input import visible
from storage import Database, console, people

# channel, user key, text[, WhatsApp template, its params]: sent now? (bot/channels/messenger.py)
Tell = Callable[..., Awaitable[bool]]
Clock = Callable[[], datetime]
COOKIE = "bpu_console"
LANG_COOKIE = "bpu_console_lang"
HERE = Path(__file__).parent
OPEN = ("/staff/masuk", "/staff/static/", "/staff/keluar/selesai", "/staff/bahasa/")


@dataclass
class Console:
    db: Database
    settings: Settings
    rules: Rules
    tell: Tell
    clock: Clock
    templates: jinja2.Environment


CONSOLE = web.AppKey("console", Console)
VIEWER = web.RequestKey("viewer", Viewer)  # who is signed in
FORM = web.RequestKey("form", MultiDictProxy)  # a POST's fields, read once by the CSRF check
ERROR = web.RequestKey("error", str)  # what was wrong with a form, shown on its page


def console_of(request: web.Request) -> Console:
    return request.app[CONSOLE]


def viewer_of(request: web.Request) -> Viewer:
    return request[VIEWER]


def lang_of(request: web.Request) -> str:
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in ("id", "en") else console_of(request).settings.language


def t_of(request: web.Request) -> Translator:
    return translator(lang_of(request))


def tr(request: web.Request, message: str, **values: object) -> str:
    """`message` in the reader's language (a function of its own so Babel finds its msgids)."""
    return t_of(request)(message, **values)


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    c = console_of(request)
    viewer = request.get(VIEWER)
    html = c.templates.get_template(template).render(
        t=t_of(request),
        lang=lang_of(request),
        viewer=viewer,
        csrf=viewer.session.csrf if viewer else "",
        path=request.path,
        path_qs=request.path_qs,
        **values,
    )
    return web.Response(text=html, status=status, content_type="text/html")


def refuse(request: web.Request, status: int, why: str) -> web.Response:
    return render(request, "refused.html", status=status, why=why)


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a sign-in link never leaks
    "Cache-Control": "no-store",  # personal data stays off disks and proxies
}


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    if not response.prepared:  # a streamed response set them itself before it started
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


@web.middleware
async def signed_in(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.path.startswith(OPEN):
        return await handler(request)
    c = console_of(request)
    session_id = request.cookies.get(COOKIE, "")
    viewer = None
    if session_id:  # read on a connection of its own: a page load never takes the write lock
        async with c.db.reading() as conn:
            session = await console.find_session(conn, session_id, c.clock())
            person = session and await people.get(conn, session.kind, session.person_id)
        if session and person and person.active:
            viewer = Viewer(person, session)
    if viewer is None:
        return render(request, "signed_out.html", status=401)
    request[VIEWER] = viewer
    if request.method == "POST":
        form = await request.post()
        given = str(form.get("csrf", ""))
        if not hmac.compare_digest(given.encode(), viewer.session.csrf.encode()):
            return refuse(request, 403, tr(request, "This form has expired. Please try again."))
        request[FORM] = without_controls(form)
    return await handler(request)


def without_controls(form: MultiDictProxy[Any]) -> MultiDict[Any]:
    """A form's text without invisible characters (a NUL, an escape, bidi marks), as the chat
    reads a worker's: nothing staff type means one, and PostgreSQL refuses a NUL. Files are
    left alone."""
    return MultiDict((key, visible(v) if isinstance(v, str) else v) for key, v in form.items())


def staff_only(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A page for staff: a campaigner gets 403, whatever the URL they type."""

    async def checked(request: web.Request) -> web.StreamResponse:
        if not viewer_of(request).is_staff:
            return refuse(request, 403, tr(request, "This page is for branch staff."))
        return await handler(request)

    return checked


def admin_only(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A page for administrators (it covers every branch): anyone else gets 403."""

    async def checked(request: web.Request) -> web.StreamResponse:
        if not (viewer_of(request).is_staff and viewer_of(request).person.admin):
            return refuse(request, 403, tr(request, "This page is for administrators."))
        return await handler(request)

    return checked


def day(text: str) -> date | None:
    """A date typed in a form or query (YYYY-MM-DD, as date inputs send it), or None."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def console_app(
    db: Database,
    settings: Settings,
    rules: Rules,
    tell: Tell,
    clock: Clock = lambda: datetime.now(UTC),
) -> web.Application:
    from bot.staff.console import (
        audit_page,
        campaigns_page,
        dashboard,
        exports_page,
        imports_page,
        registrations,
        requests_page,
        review,
        signin,
        sponsors_page,
    )

    templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    app = web.Application(middlewares=[security_headers, signed_in])
    app[CONSOLE] = Console(db, settings, rules, tell, clock, templates)
    pages = (
        signin,
        dashboard,
        registrations,
        review,
        campaigns_page,
        exports_page,
        imports_page,
        requests_page,
        sponsors_page,
        audit_page,
    )
    for module in pages:
        module.routes(app)
    app.router.add_static("/static/", HERE / "static")
    return app
