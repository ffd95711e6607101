"""The `bpu-bot` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from conversations import default_rules, load_rules
from storage import Database

from .console import run_console
from .logs import setup_logging
from .service import ConversationService
from .settings import Settings

log = logging.getLogger(__name__)


@asynccontextmanager
async def open_service(settings: Settings) -> AsyncIterator[ConversationService]:
    rules = load_rules(settings.rules_path) if settings.rules_path else default_rules()
    async with await Database.open(settings.db_path) as db:
        await db.prune_inbound()
        yield ConversationService(db, rules, settings.zone, settings.language)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bpu-bot", description=__doc__)
    parser.add_argument(
        "--db", type=Path, help="SQLite database file (default: BPU_DB_PATH or ./bpu-bot.sqlite3)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument(
        "--user",
        default="console",
        help="who is chatting; the same id resumes the same conversation (default: console)",
    )
    chat.add_argument("--lang", choices=("id", "en"), help="chat in this language")
    chat.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    if args.db:
        settings = settings.model_copy(update={"db_path": args.db})
    if args.command == "chat":
        # The chat owns the terminal: only warnings and errors are logged, to stderr.
        setup_logging("WARNING" if settings.log_level.upper() == "INFO" else settings.log_level)
        asyncio.run(_chat(settings, args.user, args.lang))
    return 0


async def _chat(settings: Settings, user: str, lang: str | None) -> None:
    async with open_service(settings) as service:
        await run_console(service, user, lang)
