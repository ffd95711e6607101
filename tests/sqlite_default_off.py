"""`bpu-bot` on an SQLite build without SQLITE_SECURE_DELETE: `python -m tests.sqlite_default_off
chat ...` runs the real command, but every connection starts with secure_delete off, as with
SQLite's own default. Debian's and Ubuntu's builds turn it on at compile time, so without this
a test could not tell whether bpu-bot sets it itself.
"""

from __future__ import annotations

import runpy
import sqlite3

_connect = sqlite3.connect


def _connect_insecure(*args: object, **kwargs: object) -> sqlite3.Connection:
    conn = _connect(*args, **kwargs)  # type: ignore[arg-type]
    conn.execute("PRAGMA secure_delete = OFF")
    return conn


sqlite3.connect = _connect_insecure  # aiosqlite looks it up at each connect
runpy.run_module("bot", run_name="__main__", alter_sys=True)
