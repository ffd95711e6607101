"""How fast is a registration through bpu-bot, next to what a developer would otherwise build, and
next to the most SQLite can do?

    python benchmarks/conversation_benchmark.py [--workers 1000]

Four measurements, each in a child process of its own (peak memory is that process's max RSS):

- full path: N workers, all at once, each completing a whole registration (13 messages)
  through the real service and SQLite, durable after every message. Closed loop: each worker
  sends its next message as soon as it has the answer. Then the same N workers at human pace
  (0-2 s between messages, about N/1 s offered), for latency under a realistic load.
- peer: the same workers and steps through python-telegram-bot's ConversationHandler with
  PicklePersistence (state in memory, saved every 60 s), fed to Application.process_update with an
  in-process request object (no network).
- storage limit: the writes one message causes, one transaction per message, through plain
  sqlite3 with the same pragmas: the ceiling for any design on SQLite.
- through Telegram: the full path through the Telegram adapter as a webhook or the poller feeds
  it (each update kept in the inbox first, then Application.process_update with an in-process
  request object, then removed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import (  # noqa: E402 - after making the project importable
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.ext import (  # noqa: E402
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.request import BaseRequest  # noqa: E402

# The golden path after opening the chat: (kind, value) with the NIK filled in per worker. A
# button sends its key tagged with the question it was shown with, as the channels do.
GOLDEN = [
    ("choice", "occupation|pedagang"),
    ("choice", "benefits|next"),
    ("text", "2 juta"),
    ("choice", "quote|reg"),
    ("text", "{nik}"),
    ("choice", "birth_confirm|yes"),
    ("text", "Siti Aminah"),
    ("text", "0812 3456 7890"),
    ("text", "Jl. Mawar 5 RT 02/RW 03, Kauman, Kota Surakarta"),
    ("choice", "email|skip"),
    ("choice", "summary|ok"),
]
MESSAGES_PER_WORKER = 1 + len(GOLDEN)


def nik(i: int) -> str:
    """A distinct valid NIK for worker i (Kota Surakarta, born 17-08-1980)."""
    return f"3372{i // 9999 % 99 + 1:02d}170880{i % 9999 + 1:04d}"


def percentiles(latencies: list[float]) -> dict[str, float]:
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000, "p99_ms": q[98] * 1000}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- an in-process Bot API ----------------------------------------------------------------------


class InProcessRequest(BaseRequest):
    """Answers python-telegram-bot's requests without a network, as the Bot API would."""

    def __init__(self) -> None:
        self._message_id = 0

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, request_data: Any = None, **timeouts: Any
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if endpoint == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "BPU", "username": "bpu_bench_bot"}
        elif endpoint in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            self._message_id += 1
            chat = params.get("chat_id", 1)
            result = {
                "message_id": params.get("message_id", self._message_id),
                "date": 0,
                "chat": {"id": chat, "type": "private"},
                "text": params.get("text", ""),
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()


def user(i: int) -> dict[str, Any]:
    return {"id": 10_000 + i, "is_bot": False, "first_name": "Siti"}


def update_for(i: int, n: int, kind: str, value: str) -> dict[str, Any]:
    chat = {"id": 10_000 + i, "type": "private"}
    if kind == "choice":
        message = {
            "message_id": 1,
            "date": 0,
            "chat": chat,
            "text": "?",
            "reply_markup": {"inline_keyboard": [[{"text": value, "callback_data": value}]]},
        }
        return {
            "update_id": i * 100 + n,
            "callback_query": {
                "id": f"{i}-{n}",
                "from": user(i),
                "chat_instance": "c",
                "data": value,
                "message": message,
            },
        }
    entities = (
        [{"type": "bot_command", "offset": 0, "length": len(value)}]
        if value.startswith("/")
        else []
    )
    return {
        "update_id": i * 100 + n,
        "message": {
            "message_id": n,
            "date": 0,
            "chat": chat,
            "from": user(i),
            "text": value,
            "entities": entities,
        },
    }


def script(i: int) -> list[tuple[str, str]]:
    return [("text", "/start"), *((k, v.format(nik=nik(i))) for k, v in GOLDEN)]


async def drive(workers: int, send: Any, paced: bool, first: int = 0) -> tuple[float, list[float]]:
    """Workers first..first+workers-1, each through its registration; (seconds, latencies)."""
    latencies: list[float] = []

    async def worker(i: int) -> None:
        rng = random.Random(i)
        for n, (kind, value) in enumerate(script(i)):
            if paced:
                await asyncio.sleep(rng.uniform(0, 2))
            started = time.perf_counter()
            await send(i, n, kind, value)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(first, first + workers)))
    return time.perf_counter() - started, latencies


def through(service: Any) -> Any:
    """send(worker, n, kind, value): worker's message n through the real service."""
    from conversations import Incoming, Kind

    async def delivered(replies: object, **_: object) -> None:
        pass

    async def send(i: int, n: int, kind: str, value: str) -> None:
        key, mid = str(i), f"{i}-{n}"
        if value == "/start":
            incoming = Incoming("bench", key, mid, Kind.OPEN)
        elif kind == "choice":
            incoming = Incoming("bench", key, mid, Kind.CHOICE, choice=value)
        else:
            incoming = Incoming("bench", key, mid, Kind.TEXT, text=value)
        await service.handle(incoming, delivered)  # replies kept until sent, as in a channel

    return send


# --- the sections -------------------------------------------------------------------------------


async def full_path(workers: int, paced: bool, folder: Path) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from bot.service import ConversationService
    from conversations import default_rules
    from storage import Database

    async with await Database.open(folder / "full.sqlite3") as db:
        service = ConversationService(db, default_rules(), ZoneInfo("Asia/Jakarta"))
        elapsed, latencies = await drive(workers, through(service), paced)
        [(registered,)] = await db.fetch_all("SELECT count(*) FROM registrations")
    assert registered == workers, f"{registered} of {workers} registered"
    return {"seconds": elapsed, "messages": len(latencies), **percentiles(latencies)}


async def peer(workers: int, folder: Path) -> dict[str, Any]:
    """A registration as a ConversationHandler: one state per question, answers in user_data."""
    steps = len(GOLDEN)

    def step(n: int) -> Any:
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            if update.callback_query:
                await update.callback_query.answer()
                answer = update.callback_query.data
            else:
                answer = update.effective_message.text  # type: ignore[union-attr]
            context.user_data[n] = answer  # type: ignore[index]
            if n == steps - 1:
                context.bot_data.setdefault("registered", []).append(dict(context.user_data))
                await update.effective_chat.send_message("Selesai, terdaftar!")  # type: ignore[union-attr]
                return ConversationHandler.END
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Lanjut", callback_data="x")]])
            await update.effective_chat.send_message(
                f"Pertanyaan {n + 2}",  # type: ignore[union-attr]
                reply_markup=keyboard,
            )
            return n + 1

        return handler

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await update.effective_chat.send_message("Apa pekerjaan Anda?")  # type: ignore[union-attr]
        return 0

    states = {
        n: [
            CallbackQueryHandler(step(n))
            if kind == "choice"
            else MessageHandler(filters.TEXT & ~filters.COMMAND, step(n))
        ]
        for n, (kind, _) in enumerate(GOLDEN)
    }
    app = (
        Application.builder()
        .token("1:bench")
        .request(InProcessRequest())
        .persistence(PicklePersistence(folder / "peer.pickle", update_interval=60))
        .concurrent_updates(True)
        .build()
    )
    app.add_handler(
        ConversationHandler(
            [CommandHandler("start", start)],
            states,
            [],
            name="registration",
            persistent=True,
            per_message=False,
        )
    )
    async with app:

        async def send(i: int, n: int, kind: str, value: str) -> None:
            await app.process_update(Update.de_json(update_for(i, n, kind, value), app.bot))

        elapsed, latencies = await drive(workers, send, paced=False)
        registered = len(app.bot_data.get("registered", []))
    assert registered == workers, f"{registered} of {workers} registered"
    return {"seconds": elapsed, "messages": len(latencies), **percentiles(latencies)}


def storage_limit(workers: int, folder: Path) -> dict[str, Any]:
    """One message's writes (its answer with its replies, then marking them sent), through
    plain sqlite3 with our pragmas."""
    from storage import Database
    from storage.sqlite import PRAGMAS

    path = folder / "limit.sqlite3"

    async def schema() -> None:
        async with await Database.open(path):
            pass

    asyncio.run(schema())
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in (*PRAGMAS, "PRAGMA busy_timeout = 5000"):
        conn.execute(pragma)
    session = json.dumps(
        {
            "id": "x" * 32,
            "step": "name",
            "answers": {"nik": nik(1)},
            "history": ["occupation", "benefits"] * 4,
            "pad": "x" * 900,
        }
    )
    replies = json.dumps({"refused_choice": False, "replies": [{"text": "x" * 300}] * 2})
    messages = workers * MESSAGES_PER_WORKER
    started = time.perf_counter()
    for m in range(messages):
        i, n = divmod(m, MESSAGES_PER_WORKER)
        stamp = "2026-11-21T03:00:00+00:00"
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO inbound_messages (channel, message_id, received_at, pending_replies)"
            " VALUES (?, ?, ?, ?)",
            ("bench", f"{i}-{n}", stamp, replies),
        )
        conn.execute("SELECT data FROM sessions WHERE channel = ? AND user_key = ?", ("b", str(i)))
        conn.execute(
            """INSERT INTO sessions VALUES (?, ?, ?, ?, 1, 'id', NULL, ?, ?, ?)
               ON CONFLICT (channel, user_key) DO UPDATE SET step = excluded.step,
               data = excluded.data, updated_at = excluded.updated_at""",
            ("b", str(i), "x" * 32, "name", session, stamp, stamp),
        )
        conn.execute(
            "INSERT OR IGNORE INTO funnel_events (session_id, stage, channel, at) "
            "VALUES (?, ?, 'b', ?)",
            (str(i), str(n), stamp),
        )
        conn.execute("COMMIT")
        conn.execute(  # the replies were sent: a transaction of its own, as in the service
            "UPDATE inbound_messages SET pending_replies = NULL"
            " WHERE channel = ? AND message_id = ?",
            ("bench", f"{i}-{n}"),
        )
    elapsed = time.perf_counter() - started
    conn.close()
    return {"seconds": elapsed, "messages": messages}


async def through_telegram(workers: int, folder: Path) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from bot.channels.telegram import TelegramChannel
    from bot.channels.telegram_intake import TelegramIntake
    from bot.service import ConversationService
    from conversations import default_rules
    from storage import Database

    async with await Database.open(folder / "telegram.sqlite3") as db:
        service = ConversationService(db, default_rules(), ZoneInfo("Asia/Jakarta"))
        app = (
            Application.builder()
            .token("1:bench")
            .request(InProcessRequest())
            .concurrent_updates(True)
            .build()
        )
        TelegramChannel(service).register(app)
        intake = TelegramIntake(app, db, service.clock)
        async with app:

            async def send(i: int, n: int, kind: str, value: str) -> None:
                # as a webhook or the poller: kept first, then processed and removed
                data = update_for(i, n, kind, value)
                keep = partial(intake.keep_all, bodies=[json.dumps(data)], now=service.clock())
                [inbox_id] = await db.run(keep)
                await intake.process(inbox_id, Update.de_json(data, app.bot))

            elapsed, latencies = await drive(workers, send, paced=False)
        [(registered,)] = await db.fetch_all("SELECT count(*) FROM registrations")
    assert registered == workers, f"{registered} of {workers} registered"
    return {"seconds": elapsed, "messages": len(latencies), **percentiles(latencies)}


def run_section(section: str, workers: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        if section == "full":
            result = asyncio.run(full_path(workers, False, path))
        elif section == "paced":
            result = asyncio.run(full_path(workers, True, path))
        elif section == "peer":
            result = asyncio.run(peer(workers, path))
        elif section == "limit":
            result = storage_limit(workers, path)
        else:
            result = asyncio.run(through_telegram(workers, path))
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


def measure(section: str, workers: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--section", section, "--workers", str(workers)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode:
        raise SystemExit(f"{section} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["rate"] = result["messages"] / result["seconds"]
    return result


def median_run(section: str, workers: int, repeat: int) -> dict[str, Any]:
    """Run a section `repeat` times; keep the run with the median rate, and the range."""
    runs = sorted((measure(section, workers) for _ in range(repeat)), key=lambda r: r["rate"])
    result = runs[len(runs) // 2]
    result["low"], result["high"] = runs[0]["rate"], runs[-1]["rate"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per section; the median is shown (default 3)"
    )
    parser.add_argument("--section", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.section:
        run_section(args.section, args.workers)
        return
    n = args.workers
    print(
        f"{n} workers x {MESSAGES_PER_WORKER} messages; Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}; median of {args.repeat} runs (range)"
    )
    rows = [
        ("full path (closed loop)", "full"),
        ("full path (human pace)", "paced"),
        ("peer: ConversationHandler", "peer"),
        ("storage limit: plain sqlite3", "limit"),
        ("through Telegram adapter", "telegram"),
    ]
    results = {}
    print(
        f"{'':30} {'msgs/s':>7} {'(range)':>15} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'peak MB':>7}"
    )
    for label, section in rows:
        r = results[section] = median_run(section, n, args.repeat)
        spread = f"({r['low']:,.0f}-{r['high']:,.0f})"
        lat = (
            f"{r['p50_ms']:7.1f} {r['p95_ms']:7.1f} {r['p99_ms']:7.1f}"
            if "p50_ms" in r
            else f"{'':7} {'':7} {'':7}"
        )
        print(f"{label:30} {r['rate']:7,.0f} {spread:>15} {lat} {r['peak_mb']:7.1f}")
    full = results["full"]["rate"]
    print(f"ratio full path / peer:          {full / results['peer']['rate']:.2f}")
    print(f"ratio full path / storage limit: {full / results['limit']['rate']:.2f}")


if __name__ == "__main__":
    main()
