"""Append-only schema migrations; `PRAGMA user_version` is the number applied.

Never edit a released migration: add a new one. Each is a list of single statements, run in its
own transaction (not executescript, which would commit on its own).
"""

MIGRATIONS: list[list[str]] = [
    # 1: sessions, duplicate detection, registrations, funnel events
    [
        """CREATE TABLE sessions (
            channel TEXT NOT NULL,
            user_key TEXT NOT NULL,
            session_id TEXT NOT NULL,
            step TEXT NOT NULL,
            flow_version INTEGER NOT NULL,
            lang TEXT NOT NULL,
            campaign TEXT,
            data TEXT NOT NULL,            -- the whole Session as JSON
            created_at TEXT NOT NULL,      -- ISO 8601, UTC
            updated_at TEXT NOT NULL,
            PRIMARY KEY (channel, user_key)
        ) WITHOUT ROWID""",
        """CREATE TABLE inbound_messages (
            channel TEXT NOT NULL,
            message_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (channel, message_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX inbound_messages_received ON inbound_messages (received_at)",
        """CREATE TABLE registrations (
            id INTEGER PRIMARY KEY,
            reference TEXT NOT NULL UNIQUE,
            nik TEXT NOT NULL UNIQUE,
            full_name TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            gender TEXT NOT NULL CHECK (gender IN ('L', 'P')),
            phone TEXT NOT NULL,
            address TEXT NOT NULL,
            city TEXT NOT NULL,
            email TEXT,
            occupation TEXT NOT NULL,
            occupation_detail TEXT,
            income_stated INTEGER NOT NULL,
            income_declared INTEGER NOT NULL,
            programs TEXT NOT NULL,
            period_months INTEGER NOT NULL,
            monthly_premium INTEGER NOT NULL,
            period_total INTEGER NOT NULL,
            discount TEXT,
            tariff_version TEXT NOT NULL,
            campaign TEXT,
            assisted_by TEXT,
            consent_version TEXT NOT NULL,
            consent_at TEXT NOT NULL,
            review_flags TEXT NOT NULL DEFAULT '',   -- space-separated
            channel TEXT NOT NULL,
            user_key TEXT NOT NULL,
            session_id TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX registrations_created ON registrations (created_at)",
        "CREATE INDEX registrations_campaign ON registrations (campaign)",
        """CREATE TABLE funnel_events (
            session_id TEXT NOT NULL,
            stage TEXT NOT NULL,
            channel TEXT NOT NULL,
            occupation TEXT,
            campaign TEXT,
            at TEXT NOT NULL,
            PRIMARY KEY (session_id, stage)
        ) WITHOUT ROWID""",
        "CREATE INDEX funnel_events_at ON funnel_events (at)",
    ],
]
