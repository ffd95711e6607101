"""Slow or silent clients cannot take the server down: a bounded number of open connections, and
a deadline for each request's headers and for its body.

aiohttp has neither: a connection may take an hour to send its headers, a body may trickle in
for ever, and once the process runs out of file descriptors nothing is answered and asyncio logs
every failed accept(). The gate sits between the listening socket and aiohttp's protocol. Each
connection is *waiting* (for a request's headers, or idle between requests), *receiving* (a
request whose body is still arriving) or *busy* (the handler is working). Waiting and receiving
are bounded in time; a busy connection is never cut. At the limit a new connection closes the
oldest waiting or receiving one (a client that does its work quickly always gets in), and is
refused only when every connection is busy. What was cut is logged as counts, at most once a
minute, never a line per socket.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Literal

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger(__name__)

REPORT_EVERY = 60.0  # seconds between two reports of what the gate cut
MAX_BACKLOG = 128  # aiohttp's default
Event = Literal["evicted", "refused", "headers", "body"]
State = Literal["waiting", "receiving", "busy"]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _budget(wanted: int) -> tuple[int, int]:
    """How many connections may be open, and how many accepted at once (the listen backlog).

    Half the file descriptors stay for the database and outgoing calls. asyncio accepts up to
    `backlog` sockets in one go before the gate sees them, and closed ones are released a moment
    later, so two backlogs' worth is kept free on top of the open connections."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted, MAX_BACKLOG
    half = soft // 2
    backlog = max(1, min(MAX_BACKLOG, half // 4))
    return max(1, min(wanted, half - 2 * backlog)), backlog


class _Tally:
    """Counts what the gate cut: each kind is logged at once, then at most once a minute."""

    def __init__(self, messages: dict[Event, str]) -> None:
        self.messages = messages
        self.counts: Counter[Event] = Counter()
        self.timers: dict[Event, asyncio.TimerHandle] = {}

    def note(self, event: Event) -> None:
        self.counts[event] += 1
        if event not in self.timers:
            self._report(event)

    def _report(self, event: Event) -> None:
        self.timers.pop(event, None)
        if count := self.counts.pop(event, 0):
            log.warning(self.messages[event], count)
            loop = asyncio.get_running_loop()
            self.timers[event] = loop.call_later(REPORT_EVERY, self._report, event)

    def close(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()


class _Connection(asyncio.Protocol):
    """aiohttp's protocol for one connection, as the gate sees it: it passes every call on."""

    def __init__(self, gate: ConnectionGate, handler: RequestHandler) -> None:
        self.gate, self.handler = gate, handler
        self.transport: asyncio.Transport | None = None
        self.state: State = "waiting"
        self.served = 0  # requests answered on this connection
        self.heard = False  # bytes received since the last request ended
        self.cut = False  # closed by the gate
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.gate.enter(self, "waiting")
        self.handler.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self.heard = True
        self.handler.data_received(data)

    def eof_received(self) -> bool | None:
        return self.handler.eof_received()

    def pause_writing(self) -> None:
        self.handler.pause_writing()

    def resume_writing(self) -> None:
        self.handler.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self.gate.forget(self)
        self.handler.connection_lost(exc)

    def close(self, event: Event) -> None:
        """Cut this connection (no goodbye: the peer is slow, silent or idle)."""
        if self.transport is None or self.cut:
            return
        self.cut = True
        if event != "headers" or not self.served or self.heard:  # idle keep-alive is normal
            self.gate.tally.note(event)
        self.transport.abort()


class _Refused(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.abort()


class ConnectionGate:
    """Bounds open connections and the time a request may take to arrive."""

    def __init__(self, max_connections: int, header_timeout: float, body_timeout: float) -> None:
        self.limit, self.backlog = _budget(max_connections)
        self.timeouts = {"waiting": header_timeout, "receiving": body_timeout}
        self.open: dict[RequestHandler, _Connection] = {}
        self.cuttable: dict[_Connection, None] = {}  # waiting or receiving, oldest first
        closed = "%d connection(s) closed:"
        self.tally = _Tally(
            {
                "evicted": f"{closed} {self.limit} open is the limit (slow or idle clients?)",
                "refused": f"%d new connection(s) refused: all {self.limit} open ones are busy",
                "headers": f"{closed} no complete request within {header_timeout:g}s",
                "body": f"{closed} request body not received within {body_timeout:g}s",
            }
        )

    def protocol_factory(self, server: web.Server) -> Callable[[], asyncio.Protocol]:
        """What the listening socket calls for each accepted connection."""

        def accept() -> asyncio.Protocol:
            if len(self.open) >= self.limit and not self._make_room():
                self.tally.note("refused")
                return _Refused()
            handler = server()
            self.open[handler] = connection = _Connection(self, handler)
            return connection

        return accept

    def _make_room(self) -> bool:
        oldest = next(iter(self.cuttable), None)
        if oldest is None:
            return False
        self.forget(oldest)  # its slot is free now; its transport closes in a moment
        oldest.close("evicted")
        return True

    def enter(self, connection: _Connection, state: State) -> None:
        """Move a connection to `state`, with that state's deadline, if any."""
        connection.state = state
        if connection.deadline:
            connection.deadline.cancel()
            connection.deadline = None
        self.cuttable.pop(connection, None)
        if state == "busy" or connection.cut:
            return
        self.cuttable[connection] = None
        event: Event = "headers" if state == "waiting" else "body"
        connection.deadline = asyncio.get_running_loop().call_later(
            self.timeouts[state], connection.close, event
        )

    def _received(self, connection: _Connection) -> None:
        if connection.state == "receiving":  # not when read after the answer (lingering)
            self.enter(connection, "busy")

    def forget(self, connection: _Connection) -> None:
        if connection.deadline:
            connection.deadline.cancel()
        self.cuttable.pop(connection, None)
        self.open.pop(connection.handler, None)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Times the body of each request; the handler itself is never cut short."""
        connection = self.open.get(request.protocol)
        if connection is None:  # already evicted
            raise web.HTTPServiceUnavailable()
        if request.content.is_eof():
            self.enter(connection, "busy")
        else:
            self.enter(connection, "receiving")
            request.content.on_eof(lambda: self._received(connection))
        try:
            return await handler(request)
        except Exception as error:
            gone = isinstance(error, ConnectionError) and connection.state == "receiving"
            if connection.cut or gone:  # the request never arrived whole: nobody to answer
                raise web.HTTPRequestTimeout() from None
            raise
        finally:
            connection.served += 1
            connection.heard = False
            if not connection.cut:
                self.enter(connection, "waiting")

    def close(self) -> None:
        self.tally.close()


class GatedSite(web.BaseSite):
    """A TCP site whose connections all pass through a ConnectionGate."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, gate: ConnectionGate) -> None:
        super().__init__(runner)
        self.host, self.port, self.gate = host, port, gate

    @property
    def name(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self.gate.protocol_factory(server), self.host, self.port, backlog=self.gate.backlog
        )

    async def stop(self) -> None:
        self.gate.close()
        await super().stop()
