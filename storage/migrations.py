"""Append-only schema migrations; the number applied is SQLite's `PRAGMA user_version`, or
PostgreSQL's `schema_version` table.

Never edit a released migration: add a new one. Each is a list of single statements, run in its
own transaction (not executescript, which would commit on its own). They are written for SQLite
and carried over to PostgreSQL by `sql.postgres_ddl`; a statement that cannot be is a `Both`.
"""

from .sql import Both

# A funnel stage's bit (migration 5), `%s` the column holding the stage
_STAGE_BIT = """CASE %s
    WHEN 'started' THEN 0 WHEN 'occupation_chosen' THEN 1
    WHEN 'benefits_read' THEN 2 WHEN 'quote_seen' THEN 3
    WHEN 'registration_started' THEN 4 WHEN 'registered' THEN 5 END"""

# PostgreSQL's trigger runs a function: SQLite's trigger body, in PL/pgSQL
_FUNNEL_TRIGGER_PG = f"""
CREATE FUNCTION funnel_sessions_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO funnel_sessions (session_id) VALUES (NEW.session_id) ON CONFLICT DO NOTHING;
    UPDATE funnel_sessions
    SET stages = stages | coalesce(1 << {_STAGE_BIT % "NEW.stage"}, 0),
        started_at = CASE WHEN NEW.stage = 'started' THEN NEW.at ELSE started_at END,
        channel = CASE WHEN NEW.stage = 'started' THEN NEW.channel ELSE channel END,
        campaign = CASE WHEN NEW.stage = 'started' THEN NEW.campaign ELSE campaign END,
        assisted_by = CASE WHEN NEW.stage = 'started' THEN NEW.assisted_by ELSE assisted_by END,
        occupation = CASE WHEN NEW.stage = 'occupation_chosen' THEN NEW.occupation
                     ELSE occupation END
    WHERE session_id = NEW.session_id;
    RETURN NULL;
END $$;
CREATE TRIGGER funnel_sessions_track AFTER INSERT ON funnel_events
    FOR EACH ROW EXECUTE FUNCTION funnel_sessions_track()"""

MIGRATIONS: list[list[str | Both]] = [
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
        Both(
            "CREATE TABLE registration_history AS SELECT * FROM registrations WHERE 0",
            "CREATE TABLE registration_history AS SELECT * FROM registrations WHERE false",
        ),
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
    # 4: every webhook (Telegram too) kept until processed, poison set aside; replies kept until
    # they are delivered, so a crash between the commit and the send still answers the worker
    [
        "ALTER TABLE whatsapp_inbox RENAME TO webhook_inbox",
        "ALTER TABLE webhook_inbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'whatsapp'",
        "ALTER TABLE webhook_inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE webhook_inbox ADD COLUMN set_aside_at TEXT",  # poison: not retried
        "ALTER TABLE webhook_inbox ADD COLUMN error TEXT",  # why, without personal data
        "ALTER TABLE inbound_messages ADD COLUMN pending_replies TEXT",  # JSON, until sent
    ],
    # 5: an export is recorded in one commit and published after it, with what the next run needs
    # to finish or undo one that was killed; a summary row per conversation for fast statistics
    [
        # writing (file being made, rows still pending) -> committed (rows exported, file not yet
        # in place) -> done
        "ALTER TABLE export_batches ADD COLUMN state TEXT NOT NULL DEFAULT 'done'",
        "ALTER TABLE export_batches ADD COLUMN path TEXT",  # where its file is published
        """CREATE TABLE export_temp_files (
            path TEXT PRIMARY KEY,          -- being written: the next export removes a leftover
            batch_id INTEGER,               -- the new batch it holds, if any
            created_at TEXT NOT NULL
        ) WITHOUT ROWID""",
        # Batches of older versions that never got a file give their registrations back.
        """DELETE FROM export_items
           WHERE batch_id IN (SELECT id FROM export_batches WHERE sha256 IS NULL)""",
        "DELETE FROM export_batches WHERE sha256 IS NULL",
        # A registration is pending while no export item holds its current revision (this
        # replaces registrations.exported_revision, no longer kept up to date).
        "CREATE INDEX export_items_registration ON export_items (registration_id, revision)",
        "CREATE INDEX registrations_assisted ON registrations (assisted_by)",
        """CREATE TABLE funnel_sessions (
            session_id TEXT PRIMARY KEY,
            stages INTEGER NOT NULL DEFAULT 0,  -- bit i: reached stage i, in funnel order
            started_at TEXT,                    -- from the 'started' event, as its columns:
            channel TEXT,
            campaign TEXT,
            assisted_by TEXT,
            occupation TEXT                     -- from the 'occupation_chosen' event
        ) WITHOUT ROWID""",
        Both(
            """INSERT INTO funnel_sessions
               (session_id, stages, started_at, channel, campaign, assisted_by, occupation)
           SELECT session_id,
                  sum(coalesce(1 << CASE stage
                  WHEN 'started' THEN 0 WHEN 'occupation_chosen' THEN 1
                  WHEN 'benefits_read' THEN 2 WHEN 'quote_seen' THEN 3
                  WHEN 'registration_started' THEN 4 WHEN 'registered' THEN 5 END, 0)),
                  max(iif(stage = 'started', at, NULL)),
                  max(iif(stage = 'started', channel, NULL)),
                  max(iif(stage = 'started', campaign, NULL)),
                  max(iif(stage = 'started', assisted_by, NULL)),
                  max(iif(stage = 'occupation_chosen', occupation, NULL))
           FROM funnel_events GROUP BY session_id""",
            f"""INSERT INTO funnel_sessions
                   (session_id, stages, started_at, channel, campaign, assisted_by, occupation)
               SELECT session_id,
                      sum(coalesce(1 << {_STAGE_BIT % "stage"}, 0)),
                      max(CASE WHEN stage = 'started' THEN at END),
                      max(CASE WHEN stage = 'started' THEN channel END),
                      max(CASE WHEN stage = 'started' THEN campaign END),
                      max(CASE WHEN stage = 'started' THEN assisted_by END),
                      max(CASE WHEN stage = 'occupation_chosen' THEN occupation END)
               FROM funnel_events GROUP BY session_id""",
        ),
        Both(
            """CREATE TRIGGER funnel_sessions_track AFTER INSERT ON funnel_events BEGIN
               INSERT OR IGNORE INTO funnel_sessions (session_id) VALUES (NEW.session_id);
               UPDATE funnel_sessions
               SET stages = stages | coalesce(1 << CASE NEW.stage
                  WHEN 'started' THEN 0 WHEN 'occupation_chosen' THEN 1
                  WHEN 'benefits_read' THEN 2 WHEN 'quote_seen' THEN 3
                  WHEN 'registration_started' THEN 4 WHEN 'registered' THEN 5 END, 0),
                   started_at = iif(NEW.stage = 'started', NEW.at, started_at),
                   channel = iif(NEW.stage = 'started', NEW.channel, channel),
                   campaign = iif(NEW.stage = 'started', NEW.campaign, campaign),
                   assisted_by = iif(NEW.stage = 'started', NEW.assisted_by, assisted_by),
                   occupation = iif(NEW.stage = 'occupation_chosen', NEW.occupation, occupation)
               WHERE session_id = NEW.session_id;
           END""",
            _FUNNEL_TRIGGER_PG,
        ),
        # In group order, so a report streams through it without sorting; started_at is last
        # because a report of a period still reads most conversations.
        """CREATE INDEX funnel_sessions_groups
           ON funnel_sessions (stages, occupation, channel, campaign, assisted_by, started_at)""",
    ],
    # 6: a WhatsApp role is bound to the business-scoped id first seen with its number, so a
    # recycled number does not hand the role to its next owner
    [
        "ALTER TABLE staff ADD COLUMN whatsapp_user_id TEXT",
        "ALTER TABLE campaigners ADD COLUMN whatsapp_user_id TEXT",
    ],
    # 7: the official region of a registration: the Kemendagri code of its kabupaten/kota
    # (`city` holds the official name) and the kecamatan, when the address names one. NULL in
    # registrations made before. registration_history gets the same columns in the same order,
    # since revisions are copied into it with SELECT *.
    [
        "ALTER TABLE registrations ADD COLUMN city_code TEXT",  # "33.72"
        "ALTER TABLE registrations ADD COLUMN district TEXT",  # "Pasar Kliwon"
        "ALTER TABLE registrations ADD COLUMN district_code TEXT",  # "33.72.03"
        "ALTER TABLE registration_history ADD COLUMN city_code TEXT",
        "ALTER TABLE registration_history ADD COLUMN district TEXT",
        "ALTER TABLE registration_history ADD COLUMN district_code TEXT",
    ],
    # 8: the staff console. Staff get a role: an administrator sees every branch, a staff member
    # their own branch (staff added before were all-seeing, so they become administrators).
    # One-time sign-in links and console sessions are kept only as SHA-256 hashes: a copy of the
    # database lets nobody in. Review decisions on flagged registrations, in registrations and
    # (same columns, same order) registration_history.
    [
        "ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'"
        " CHECK (role IN ('admin', 'staff'))",
        "ALTER TABLE staff ADD COLUMN branch TEXT",
        """CREATE TABLE console_links (
            token_hash TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('staff', 'campaigner')),
            person_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        ) WITHOUT ROWID""",
        """CREATE TABLE console_sessions (
            id_hash TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('staff', 'campaigner')),
            person_id INTEGER NOT NULL,
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX console_sessions_person ON console_sessions (kind, person_id)",
        "ALTER TABLE registrations ADD COLUMN review_state TEXT",  # approved, rejected
        "ALTER TABLE registrations ADD COLUMN review_note TEXT",
        "ALTER TABLE registrations ADD COLUMN reviewed_by TEXT",
        "ALTER TABLE registrations ADD COLUMN reviewed_at TEXT",
        "ALTER TABLE registration_history ADD COLUMN review_state TEXT",
        "ALTER TABLE registration_history ADD COLUMN review_note TEXT",
        "ALTER TABLE registration_history ADD COLUMN reviewed_by TEXT",
        "ALTER TABLE registration_history ADD COLUMN reviewed_at TEXT",
        "CREATE INDEX registrations_to_review ON registrations (id) WHERE review_flags != ''"
        " AND review_state IS NULL",
        "CREATE INDEX registrations_phone ON registrations (phone)",
    ],
    # 9: results from the main membership system, imported as recorded batches (like exports):
    # accepted with the membership number (KPJ) and start date, or rejected with a reason, and
    # the month paid up to. A table of its own: a result is not a new revision of what the
    # worker gave, so it does not make a registration go out in the next export.
    [
        """CREATE TABLE import_batches (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,    -- the same file twice is one batch
            row_count INTEGER NOT NULL,
            changed INTEGER NOT NULL,       -- rows that changed something
            problems TEXT NOT NULL          -- JSON: [[row number, reference, problem], ...]
        )""",
        """CREATE TABLE memberships (
            registration_id INTEGER PRIMARY KEY REFERENCES registrations (id),
            state TEXT CHECK (state IN ('accepted', 'rejected')),
            kpj TEXT,                       -- the membership number, once accepted
            starts_on TEXT,                 -- the date the membership starts
            reason TEXT,                    -- why it was rejected
            paid_until TEXT,                -- YYYY-MM: the last month paid for
            told_state TEXT,                -- the result the worker was told of
            updated_at TEXT NOT NULL,
            batch_id INTEGER NOT NULL REFERENCES import_batches (id)
        )""",
        "CREATE UNIQUE INDEX memberships_kpj ON memberships (kpj) WHERE kpj IS NOT NULL",
    ],
    # 10: messages due to workers outside a conversation (a result from the main system, later
    # reminders): rows a running `serve` or `telegram` process claims for a while and sends,
    # so they survive restarts; `dedupe` names what a message is about, so it is queued once.
    [
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            dedupe TEXT NOT NULL UNIQUE,    -- e.g. result:BPU-7K3M-Q9XA:accepted
            channel TEXT NOT NULL,
            user_key TEXT NOT NULL,
            text TEXT NOT NULL,
            due_at TEXT NOT NULL,
            claimed_until TEXT,             -- a sender's lease: another may take it after
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at TEXT,
            given_up TEXT                   -- why it will not be sent
        )""",
        "CREATE INDEX outbox_due ON outbox (due_at) WHERE sent_at IS NULL AND given_up IS NULL",
    ],
    # 11: WhatsApp templates: the one a queued message is sent as outside the 24-hour window,
    # with its parameters; and what Meta says of each template (approved, paused, its quality).
    [
        "ALTER TABLE outbox ADD COLUMN template TEXT",  # a key of locales/whatsapp_templates.toml
        "ALTER TABLE outbox ADD COLUMN params TEXT",  # JSON: the template's parameters, in order
        """CREATE TABLE whatsapp_templates (
            name TEXT NOT NULL,
            language TEXT NOT NULL,
            status TEXT,                    -- APPROVED, PAUSED, DISABLED, REJECTED, ...
            quality TEXT,                   -- GREEN, YELLOW, RED
            updated_at TEXT NOT NULL,
            PRIMARY KEY (name, language)
        ) WITHOUT ROWID""",
    ],
    # 12: how many rows of an import were not applied (its problems list keeps the first 10,000)
    ["ALTER TABLE import_batches ADD COLUMN not_applied INTEGER NOT NULL DEFAULT 0"],
    # 13: payment reminders a worker asked for (or declined, or stopped), per registration, and
    # the last one queued: one a month at most, never two within a week.
    [
        """CREATE TABLE reminders (
            registration_id INTEGER PRIMARY KEY REFERENCES registrations (id),
            wanted INTEGER NOT NULL,        -- 1: yes; 0: declined or stopped ("berhenti")
            chosen_at TEXT NOT NULL,        -- when the worker said so (or it was stopped)
            stopped_by TEXT,                -- not the worker's word: "blocked the bot", ...
            last_month TEXT,                -- YYYY-MM the last reminder queued was about
            last_at TEXT                    -- when it was queued
        )""",
    ],
    # 14: the worker's data rights (UU PDP): a registration already sent to the main system
    # that its worker asked to delete is marked, as a new revision, so the next export carries
    # the request; each request for staff (delete, correct) is listed until handled.
    [
        "ALTER TABLE registrations ADD COLUMN erasure_requested_at TEXT",
        "ALTER TABLE registration_history ADD COLUMN erasure_requested_at TEXT",
        """CREATE TABLE data_requests (
            id INTEGER PRIMARY KEY,
            reference TEXT NOT NULL,        -- the registration it is about
            kind TEXT NOT NULL CHECK (kind IN ('erase', 'correct')),
            details TEXT,                   -- a correction: what the worker wrote
            created_at TEXT NOT NULL,
            handled_at TEXT,
            handled_by TEXT
        )""",
        "CREATE INDEX data_requests_open ON data_requests (created_at) WHERE handled_at IS NULL",
    ],
    # 15: sponsored programs: a regency, the state or a company pays the premium of the workers
    # who qualify, up to a number of seats, for a period; a registration records the program
    # that pays for it (a seat is a registration).
    [
        """CREATE TABLE sponsor_programs (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,      -- e.g. SPN-PPU-2027
            sponsor TEXT NOT NULL,          -- who pays: "Pemkab Penajam Paser Utara"
            kind TEXT NOT NULL,             -- a key of rules.toml [[sponsor_kinds]]
            with_jht INTEGER NOT NULL,      -- pays JHT too
            declared_income INTEGER NOT NULL,
            seats INTEGER NOT NULL CHECK (seats > 0),
            start_month TEXT NOT NULL,      -- YYYY-MM, the first month it pays
            end_month TEXT NOT NULL,        -- YYYY-MM, the last
            occupations TEXT NOT NULL DEFAULT '',  -- space-separated; empty: any
            city_codes TEXT NOT NULL DEFAULT '',   -- space-separated kabupaten/kota; empty: any
            nik_list INTEGER NOT NULL DEFAULT 0,   -- 1: only the NIKs in sponsor_niks
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            closed_at TEXT
        )""",
        """CREATE TABLE sponsor_niks (
            program_id INTEGER NOT NULL REFERENCES sponsor_programs (id),
            nik TEXT NOT NULL,
            PRIMARY KEY (program_id, nik)
        ) WITHOUT ROWID""",
        "CREATE INDEX sponsor_niks_nik ON sponsor_niks (nik)",
        """CREATE TABLE sponsor_campaigns (
            campaign TEXT PRIMARY KEY,      -- a campaign brings workers to one program at most
            program_id INTEGER NOT NULL REFERENCES sponsor_programs (id)
        ) WITHOUT ROWID""",
        "ALTER TABLE registrations ADD COLUMN sponsor_program TEXT",
        "ALTER TABLE registration_history ADD COLUMN sponsor_program TEXT",
        # YYYY-MM: the first month it pays for this worker, as the chat told them
        "ALTER TABLE registrations ADD COLUMN sponsored_from TEXT",
        "ALTER TABLE registration_history ADD COLUMN sponsored_from TEXT",
        "CREATE INDEX registrations_sponsor ON registrations (sponsor_program)"
        " WHERE sponsor_program IS NOT NULL",
    ],
    # 16: which process polls a Telegram bot for updates: one at a time (issue 15), held as a
    # lease it renews, so a second `bpu-bot telegram` is refused and a dead one's is taken over.
    [
        """CREATE TABLE telegram_pollers (
            bot TEXT PRIMARY KEY,           -- the bot's id (the token's part before ':')
            holder TEXT NOT NULL,           -- host:pid of the polling process
            since TEXT NOT NULL,
            until TEXT NOT NULL             -- the lease runs out then unless renewed
        ) WITHOUT ROWID""",
    ],
    # 17: several instances on one database (issue 15): a kept webhook is claimed by the one
    # instance that processes it, for a while (a dead instance's claims are taken over), and
    # one person's webhooks are processed one at a time in the order they came, whichever
    # instance received them: `user_key` is whom the body is from, as the channel names them
    [
        "ALTER TABLE webhook_inbox ADD COLUMN user_key TEXT",
        "ALTER TABLE webhook_inbox ADD COLUMN claimed_by TEXT",  # host:pid
        "ALTER TABLE webhook_inbox ADD COLUMN claimed_until TEXT",
        "ALTER TABLE webhook_inbox ADD COLUMN claims INTEGER NOT NULL DEFAULT 0",
        """CREATE INDEX webhook_inbox_queue ON webhook_inbox (channel, user_key, id)
           WHERE set_aside_at IS NULL""",
    ],
]
