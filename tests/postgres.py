"""A real PostgreSQL server for the tests (issue 15): Debian's `postgresql` package (tests/setup.sh
installs it), a new cluster in a temporary folder, listening on 127.0.0.1 and a socket in that
folder only, stopped and removed afterwards. PostgreSQL refuses to run as root, and CI runs as
root: then the cluster belongs to the `postgres` user the package creates, and its commands run
as that user (runuser).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

ROOT_USER = "postgres"  # who runs the server when the tests run as root


def binaries() -> Path:
    """The newest installed PostgreSQL's bin folder."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
    )
    assert found, "PostgreSQL is missing: sh tests/setup.sh installs Debian's postgresql"
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", ROOT_USER, "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres_server(durable: bool = False) -> Iterator[str]:
    """A running server; yields its connection URL (database `postgres`, trust for the owner).
    `durable`: every commit reaches the disk first, as in production (benchmarks)."""
    bin_dir, port = binaries(), _free_port()
    folder = Path(tempfile.mkdtemp(prefix="bpu-pg-"))
    data, log = folder / "data", folder / "server.log"
    user = ROOT_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        owner = pwd.getpwnam(ROOT_USER)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    try:
        subprocess.run(
            _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", user]),
            check=True,
            capture_output=True,
        )
        # fsync off for tests: a test cluster lives for one run; what a crash would lose does
        # not matter
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder}"
        options += " -c max_connections=200" + ("" if durable else " -c fsync=off")
        pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data)]
        subprocess.run(
            _as_owner([*pg_ctl, "-l", str(log), "-o", options, "-w", "start"]),
            check=True,
            capture_output=True,
        )
        try:
            yield f"postgresql://{user}@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_owner([*pg_ctl, "-m", "fast", "stop"]),
                capture_output=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Databases:
    """New, empty, migrated databases on one server, each a copy of a template migrated once
    (CREATE DATABASE … TEMPLATE takes milliseconds; migrating takes longer)."""

    TEMPLATE = "bpu_template"

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self._made = 0
        self._template_ready = False

    def url(self, name: str) -> str:
        return self.server_url.rsplit("/", 1)[0] + "/" + name

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(sql)

    def blank(self) -> str:
        """A new database with no tables (for migrations and `migrate-db` to fill)."""
        self._made += 1
        name = f"bpu_test_{os.getpid()}_{self._made}"
        self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def new(self) -> str:
        """A new database at the current schema."""
        if not self._template_ready:
            self._admin(f"CREATE DATABASE {self.TEMPLATE}")
            with ThreadPoolExecutor(1) as thread:  # the caller's thread may run an event loop
                thread.submit(asyncio.run, _migrate(self.url(self.TEMPLATE))).result()
            self._template_ready = True
        self._made += 1
        name = f"bpu_test_{os.getpid()}_{self._made}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE}")
        return self.url(name)

    def drop(self, url: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


async def _migrate(url: str) -> None:
    from storage import Database

    db = await Database.open(url)
    await db.close()
