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
    # 2: campaigns, roles, export batches, registration history, audit log
    [
        """CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            telegram_id TEXT UNIQUE,
            phone TEXT UNIQUE,              -- E.164
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            CHECK (telegram_id IS NOT NULL OR phone IS NOT NULL)
        )""",
        """CREATE TABLE campaigners (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,      -- their own code, e.g. a Perisai agent number
            name TEXT NOT NULL,
            telegram_id TEXT UNIQUE,
            phone TEXT UNIQUE,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            CHECK (telegram_id IS NOT NULL OR phone IS NOT NULL)
        )""",
        """CREATE TABLE campaigns (
            code TEXT PRIMARY KEY,          -- issued by bpu-bot; a valid Telegram start payload
            name TEXT NOT NULL,
            place TEXT NOT NULL,
            branch TEXT NOT NULL,
            campaigner_id INTEGER REFERENCES campaigners (id),
            starts_on TEXT NOT NULL,        -- dates, inclusive, in local time
            ends_on TEXT,
            closed_at TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL
        ) WITHOUT ROWID""",
        "ALTER TABLE registrations ADD COLUMN exported_revision INTEGER",
        # Earlier revisions of updated registrations, so an old export batch can be reproduced.
        # Keep its columns equal to registrations' when a later migration adds one there.
        "CREATE TABLE registration_history AS SELECT * FROM registrations WHERE 0",
        "CREATE UNIQUE INDEX registration_history_key ON registration_history (id, revision)",
        """CREATE TABLE export_batches (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            format TEXT NOT NULL,
            filters TEXT NOT NULL,          -- JSON
            row_count INTEGER NOT NULL,
            sha256 TEXT,                    -- of the file; NULL until it is written
            file_name TEXT
        )""",
        """CREATE TABLE export_items (
            batch_id INTEGER NOT NULL REFERENCES export_batches (id),
            registration_id INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            PRIMARY KEY (batch_id, registration_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL
        )""",
        "CREATE INDEX registrations_exported ON registrations (exported_revision)",
        "CREATE INDEX funnel_events_campaign ON funnel_events (campaign)",
        "ALTER TABLE funnel_events ADD COLUMN assisted_by TEXT",
    ],
    # 3: WhatsApp identities (phone and business-scoped id to one key) and the webhook inbox
    [
        """CREATE TABLE whatsapp_contacts (
            key TEXT PRIMARY KEY,          -- the user key conversations are stored under
            wa_id TEXT UNIQUE,             -- phone number, when Meta shares it
            user_id TEXT UNIQUE,           -- business-scoped user id (BSUID)
            last_inbound_at TEXT NOT NULL  -- for the 24-hour customer service window
        ) WITHOUT ROWID""",
        """CREATE TABLE whatsapp_inbox (
            id INTEGER PRIMARY KEY,
            received_at TEXT NOT NULL,
            body TEXT NOT NULL             -- a verified webhook body, until it is processed
        )""",
    ],
]
