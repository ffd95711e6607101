"""The `bpu-bot` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial
from pathlib import Path

from pydantic import SecretStr

from bot.logs import hide_secrets_of, setup_logging
from bot.service import ConversationService
from bot.settings import Refused, Settings
from bot.staff import admin, migrate_db
from bot.staff.exports import tidy
from conversations import default_rules, load_rules
from storage import Database, inbound
from storage.database import BadDatabase, is_url

ADMIN_COMMANDS = (
    *("staff", "campaigner", "campaign", "export", "stats", "inbox", "import", "sponsor"),
)
Server = Callable[[Settings, ConversationService, asyncio.Event], Awaitable[None]]

log = logging.getLogger(__name__)


@asynccontextmanager
async def open_service(
    settings: Settings, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[ConversationService]:
    """The database and the service on it; `clock` fixes the time (tests)."""
    rules = load_rules(settings.rules_path) if settings.rules_path else default_rules()
    async with await Database.open(settings.database) as db:
        service = ConversationService(db, rules, settings.zone, settings.language, clock)
        await db.run(partial(inbound.prune, now=service.clock()))  # too old to come again
        await tidy(db, settings.zone)  # a killed export's unfinished file goes now
        yield service


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bpu-bot", description=__doc__)
    parser.add_argument(
        "--db",
        help="SQLite database file, or a postgresql:// URL (default: BPU_DATABASE_URL, else "
        "BPU_DB_PATH, else ./bpu-bot.sqlite3)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument(
        "--user",
        default="console",
        help="who is chatting; the same id resumes the same conversation (default: console)",
    )
    chat.add_argument("--lang", choices=("id", "en"), help="chat in this language")
    commands.add_parser(
        "telegram", help="run the Telegram bot with long polling (needs TELEGRAM_BOT_TOKEN)"
    )
    commands.add_parser(
        "serve", help="run the web server: webhooks, /healthz and the staff console (/staff/)"
    )
    commands.add_parser(
        "console", help="run only the staff console (/staff/), for an office without webhooks"
    )
    admin.add_commands(commands)
    _db_after_each_command(commands)
    migrate_db.add_command(commands)  # after: it names its two databases itself
    return parser


def _db_after_each_command(commands: argparse._SubParsersAction) -> None:
    """--db also after a command's name, at every level (`bpu-bot campaign create --db X`)."""
    for command in commands.choices.values():
        command.add_argument(
            "--db",
            default=argparse.SUPPRESS,
            help="the SQLite database file, or a postgresql:// URL",
        )
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                _db_after_each_command(action)


def with_database(settings: Settings, db: str) -> Settings:
    """--db: a postgresql:// URL, or an SQLite file (which then wins over BPU_DATABASE_URL)."""
    if is_url(db):
        return settings.model_copy(update={"database_url": SecretStr(db)})
    return settings.model_copy(update={"db_path": Path(db), "database_url": None})


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    if args.db:
        settings = with_database(settings, args.db)
    hide_secrets_of(settings)  # tokens and secrets are masked in every log line, any command
    try:
        return _command(args, settings)
    except (BadDatabase, Refused) as error:  # one line for staff, not a traceback
        print(f"bpu-bot: {error}", file=sys.stderr)
        return 1


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "migrate-db":
        setup_logging("WARNING")
        return asyncio.run(migrate_db.run(args, sys.stdout))
    if args.command in ADMIN_COMMANDS:
        setup_logging("WARNING")
        rules = load_rules(settings.rules_path) if settings.rules_path else default_rules()
        return asyncio.run(admin.run(args, settings, rules))
    if args.command == "chat":
        # The chat owns the terminal: only warnings and errors are logged, to stderr.
        setup_logging("WARNING" if settings.log_level.upper() == "INFO" else settings.log_level)
        asyncio.run(_chat(settings, args.user, args.lang))
    else:
        setup_logging(settings.log_level)
        run = _server(args.command)
        asyncio.run(_until_signal(settings, run))
    return 0


def _server(command: str) -> Server:
    """The server of a command; each imported only when run, so staff commands start fast."""
    if command == "telegram":
        from bot.channels.telegram import run_polling

        return run_polling
    from bot.server import serve, serve_console

    return serve_console if command == "console" else serve


async def _until_signal(settings: Settings, run: Server) -> None:
    """Run a server until SIGINT or SIGTERM, then stop it cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_service(settings) as service:
        await run(settings, service, stop)


async def _chat(settings: Settings, user: str, lang: str | None) -> None:
    async with open_service(settings) as service:
        from bot.channels.terminal import run_console  # imported only for the command that needs it

        await run_console(service, user, lang)
