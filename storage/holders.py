"""Who holds a lease (a Telegram poller, a claimed webhook): `host:pid`, and whether that
process may still be running, so a dead one's lease is taken over at once on its own machine
rather than when it runs out."""

from __future__ import annotations

import os
import socket


def me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def alive(holder: str) -> bool:
    """Whether `holder` (host:pid) may still be running: certainly not when its pid is gone
    from this machine; a process on another machine is believed until its lease runs out."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdecimal():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
