"""The staff console in this process: the real console_app mounted by bot.server.web_app over a
seeded database (an administrator, a Surakarta and a Yogyakarta staff member, two campaigners with
a campaign each, four registrations), with a `tell` that records what workers would be told."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import aiohttp
import aiosqlite
from aiohttp.test_utils import TestServer

from bot.server import web_app
from bot.settings import Settings
from bot.staff.console import console_app
from conversations import default_rules
from storage import Database, campaigns, console, people, registrations
from tests.conftest import NOW
from tests.seed import registration


@dataclass
class Told:
    sent: list = field(default_factory=list)

    async def __call__(self, channel, user_key, text, *template):
        self.sent.append((channel, user_key, text))
        return True


@dataclass
class World:
    db: Database
    told: Told
    server: TestServer
    ids: dict

    async def client(self, kind: str | None, person: int | None) -> aiohttp.ClientSession:
        c = aiohttp.ClientSession(
            base_url=str(self.server.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True)
        )
        if kind:
            async with self.db.transaction() as conn:
                token = await console.new_link(conn, kind, person, NOW)
            r = await c.post("/staff/masuk", data={"token": token}, allow_redirects=False)
            assert r.status == 303, await r.text()
        return c


async def csrf_of(c, path: str = "/staff/") -> str:
    r = await c.get(path)
    html = await r.text()
    return re.search(r'name="csrf" value="([^"]+)"', html)[1]


OLD = {"review_flags": ("age_over_65",), "birth_date": date(1950, 1, 1)}  # flagged for review


async def _campaign(
    conn: aiosqlite.Connection, name: str, place: str, branch: str, campaigner_id: int
) -> campaigns.Campaign:
    return await campaigns.create(
        conn, name=name, place=place, branch=branch, campaigner_id=campaigner_id,
        starts_on=date(2026, 1, 1), ends_on=None, actor="t", now=NOW,
    )  # fmt: skip


async def make_world(tmp_path: Path, target: Path | str | None = None, **settings) -> World:
    """The console on a seeded database: a new SQLite file in `tmp_path`, or `target`."""
    target = target or tmp_path / "c.sqlite3"
    db = await Database.open(target)
    ids = {}
    async with db.transaction() as conn:
        ids["admin"] = await people.add(conn, "staff", "Admin", "1", None, "t", NOW)
        ids["solo"] = await people.add(
            conn, "staff", "Solo staff", "2", None, "t", NOW, branch="Surakarta"
        )
        ids["jogja"] = await people.add(
            conn, "staff", "Jogja staff", "3", None, "t", NOW, branch="Yogyakarta"
        )
        ids["sri"] = await people.add(
            conn, "campaigner", "Sri", "10", None, "t", NOW, code="PRS-0123"
        )
        ids["budi"] = await people.add(
            conn, "campaigner", "Budi", "11", None, "t", NOW, code="PRS-0999"
        )
        k_solo = await _campaign(conn, "Pasar Gede", "Solo", "Surakarta", ids["sri"])
        k_jogja = await _campaign(conn, "Beringharjo", "Jogja", "Yogyakarta", ids["budi"])
    ids["k_solo"], ids["k_jogja"] = k_solo.code, k_jogja.code
    solo, jogja = k_solo.code, k_jogja.code
    regs = [
        (registration(1, reference="BPU-SOLO-0001", campaign=solo, full_name="Siti Solo"), "501"),
        (
            registration(
                2, reference="BPU-JOGJ-0002", campaign=jogja, full_name="Joko Jogja", **OLD
            ),
            "502",
        ),
        (registration(3, reference="BPU-NONE-0003", full_name="Nana Nocampaign"), "503"),
        (
            registration(4, reference="BPU-SOLF-0004", campaign=solo, full_name="Flag Solo", **OLD),
            "504",
        ),
    ]
    for reg, user in regs:
        await db.run(
            lambda conn, r=reg, u=user: registrations.save(
                conn, r, None, "telegram", u, "s-" + u, NOW
            )
        )
    told = Told()
    s = Settings(
        _env_file=None,
        db_path=tmp_path / "c.sqlite3",
        database_url=str(target) if isinstance(target, str) else None,
        telegram_bot_username="bpu_test_bot",
        whatsapp_number="0812 1000 2000",
        **settings,
    )
    app = web_app(db, None, None, [], console_app(db, s, default_rules(), told, lambda: NOW))
    server = TestServer(app)
    await server.start_server()
    return World(db, told, server, ids)
