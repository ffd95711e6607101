"""The funnel on a seeded database: exact counts per stage and per group."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta
from pathlib import Path

from bot.cli import _parser, with_database
from bot.service import ConversationService
from bot.settings import Settings
from bot.staff import admin
from conversations import Incoming, Kind, default_rules
from storage import Database, campaigns, people
from storage.stats import funnel
from tests.conftest import NOW
from tests.flowchat import button, golden

_ids = itertools.count()


async def talk(
    service: ConversationService,
    channel: str,
    user: str,
    steps: list[tuple[str, str]],
    payload: str | None = None,
    assisted_by: str | None = None,
) -> None:
    def incoming(kind: Kind, **fields: object) -> Incoming:
        return Incoming(channel, user, f"m{next(_ids)}", kind, **fields)  # type: ignore[arg-type]

    replies = await service.handle(incoming(Kind.OPEN, payload=payload, assisted_by=assisted_by))
    for action, value in steps:
        if action == "tap":
            replies = await service.handle(incoming(Kind.CHOICE, choice=button(replies, value)))
        else:
            replies = await service.handle(incoming(Kind.TEXT, text=value))


async def seed(service: ConversationService, db: Database) -> str:
    async with db.transaction() as conn:
        first = await people.add(conn, "campaigner", "Sri", "11", None, "t", NOW, code="PRS-1")
        await people.add(conn, "campaigner", "Yanto", "12", None, "t", NOW, code="PRS-2")
        made = await campaigns.create(
            conn,
            name="Pasar Gede",
            place="Pasar Gede, Solo",
            branch="Surakarta",
            campaigner_id=first,
            starts_on=date(2026, 11, 1),
            ends_on=None,
            actor="t",
            now=NOW,
        )
    a = made.code
    path = golden()
    await talk(service, "telegram", "s1", path, payload=a)  # registers
    await talk(service, "telegram", "s2", golden(pedagang="petani")[:3], payload=a)  # to quote
    await talk(service, "telegram", "s3", path[:2], payload=a)  # reads benefits
    await talk(service, "whatsapp", "s4", golden(pedagang="nelayan")[:1], payload="zzz")
    await talk(service, "whatsapp", "s5", [], payload="zzz")  # only opened the chat
    await talk(
        service,
        "console",
        "s6",  # assisted, campaigner without a campaign
        golden(pedagang="ojek_online", **{"3372055708800001": "3372051708800002"}),
        assisted_by="PRS-2",
    )
    return a


async def test_exact_funnel(service: ConversationService, db: Database) -> None:
    a = await seed(service, db)
    async with db.transaction() as conn:
        result = await funnel(conn, None, None)
    assert result.total == [6, 5, 4, 3, 2, 2]
    assert dict(result.by["campaign"]) == {a: [3, 3, 3, 2, 1, 1], "": [3, 2, 1, 1, 1, 1]}
    assert dict(result.by["campaigner"]) == {
        "PRS-1": [3, 3, 3, 2, 1, 1],
        "PRS-2": [1, 1, 1, 1, 1, 1],
        "": [2, 1, 0, 0, 0, 0],
    }
    assert dict(result.by["occupation"]) == {
        "pedagang": [2, 2, 2, 1, 1, 1],
        "petani": [1, 1, 1, 1, 0, 0],
        "nelayan": [1, 1, 0, 0, 0, 0],
        "ojek_online": [1, 1, 1, 1, 1, 1],
        "": [1, 0, 0, 0, 0, 0],
    }
    assert dict(result.by["channel"]) == {
        "telegram": [3, 3, 3, 2, 1, 1],
        "whatsapp": [2, 1, 0, 0, 0, 0],
        "console": [1, 1, 1, 1, 1, 1],
    }
    async with db.transaction() as conn:
        only_a = await funnel(conn, None, None, campaign=a)
        tomorrow = await funnel(conn, (NOW + timedelta(days=1)).isoformat(), None)
    assert only_a.total == [3, 3, 3, 2, 1, 1]
    assert tomorrow.total == [0] * 6


async def test_the_stats_command_prints_the_tables(
    service: ConversationService, db: Database, db_target: Path | str
) -> None:
    a = await seed(service, db)
    out = io.StringIO()
    args = _parser().parse_args(["stats"])
    settings = with_database(Settings(_env_file=None), str(db_target))
    assert await admin.run(args, settings, default_rules(), out) == 0
    text = out.getvalue()
    lines = text.splitlines()
    assert ["registered", "2", "100%", "0"] in [line.split() for line in lines]  # all who began
    assert any(line.startswith(a) and line.endswith("33%") for line in lines)  # 1 of 3
    assert any(line.startswith("(none)") for line in lines)
