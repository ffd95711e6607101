"""The terminal channel: numbered options, answers by number or words, scriptable through a pipe."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import sys
import textwrap
import uuid
from collections.abc import Sequence
from typing import TextIO

from bot.service import ConversationService
from conversations import Incoming, Kind, Option, Reply
from conversations.i18n import translator
from conversations.text_input import clean_text

CHANNEL = "console"
QUIT_WORDS = {"keluar", "quit", "exit"}


def render(reply: Reply, width: int | None = None) -> str:
    """The reply's text and its numbered options; wrapped at word boundaries to `width`."""
    lines = reply.text.splitlines() or [""]
    if width:
        lines = [part for line in lines for part in textwrap.wrap(line, width) or [""]]
    lines += [f"  {number}. {option.label}" for number, option in enumerate(reply.options, 1)]
    return "\n".join(lines)


class ConsoleChat:
    def __init__(
        self, service: ConversationService, user: str, out: TextIO, interactive: bool
    ) -> None:
        self.service = service
        self.user = user
        self.out = out
        self.echo = not interactive  # piped input is echoed so the output reads as a transcript
        self.width = shutil.get_terminal_size().columns - 1 if interactive else None
        self.options: tuple[Option, ...] = ()
        self.lang = "id"

    def incoming(self, kind: Kind, **fields: object) -> Incoming:
        return Incoming(CHANNEL, self.user, uuid.uuid4().hex, kind, **fields)  # type: ignore[arg-type]

    def from_line(self, line: str) -> Incoming:
        """A number (in any script's digits) picks one of the options just shown; anything
        else is text."""
        text = clean_text(line).strip()
        if re.fullmatch(r"[0-9]{1,3}", text) and 1 <= int(text) <= len(self.options):
            return self.incoming(Kind.CHOICE, choice=self.options[int(text) - 1].key)
        return self.incoming(Kind.TEXT, text=line)

    async def send(self, incoming: Incoming) -> None:
        await self.service.handle(incoming, self.show)

    async def show(self, replies: Sequence[Reply], *, refused_choice: bool = False) -> None:
        for reply in replies:
            print(render(reply, self.width), end="\n\n", file=self.out)
        self.options = replies[-1].options  # numbers pick from the question just asked
        self.out.flush()

    async def open(self, lang: str | None) -> None:
        await self.send(self.incoming(Kind.OPEN, lang=lang))
        if lang:
            self.lang = lang

    async def say(self, line: str) -> None:
        if self.echo:  # what the bot reads: no terminal escape from the input runs here
            print(f"> {clean_text(line)}", file=self.out)
        await self.send(self.from_line(line))


def _read_line(stdin: TextIO, interactive: bool) -> str | None:
    try:
        if interactive:
            return input("> ")
        line = stdin.readline()
    except (EOFError, KeyboardInterrupt):
        return None
    return line.rstrip("\r\n") if line else None


async def run_console(
    service: ConversationService,
    user: str,
    lang: str | None,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> None:
    interactive = stdin.isatty()
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(errors="replace")  # bytes that are not UTF-8 are no reason to stop
    chat = ConsoleChat(service, user, out, interactive)
    await chat.open(lang)
    while True:
        line = await asyncio.to_thread(_read_line, stdin, interactive)
        if line is None or line.strip().lower() in QUIT_WORDS:
            break
        await chat.say(line)
    if interactive:
        t = translator(chat.lang)
        goodbye = t(
            "Goodbye! Your answers are saved: run bpu-bot chat --user {user} to continue.",
            user=user,
        )
        print(f"\n{render(Reply(goodbye), chat.width)}", file=out)
