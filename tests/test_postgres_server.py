"""The real PostgreSQL server the test run starts (tests/postgres.py), which the storage tests on
PostgreSQL will use (issue 15): it runs (as `postgres` when the tests run as root), listens on
127.0.0.1 only, and keeps what a transaction committed."""

from __future__ import annotations

import os

import psycopg


def test_the_test_server_runs_on_localhost_and_keeps_a_commit(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()
        assert version and int(version[0]) >= 150000
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        conn.execute("CREATE TABLE IF NOT EXISTS probe (n integer)")
        conn.execute("INSERT INTO probe VALUES (42)")
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT n FROM probe").fetchall() == [(42,)]
        owner = conn.execute("SELECT current_user").fetchone()
        assert owner and (owner[0] != "root" or os.geteuid() != 0)
