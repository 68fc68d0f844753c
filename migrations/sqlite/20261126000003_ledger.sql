-- The hours ledger: reviews of attendances, append-only service entries and points entries, yearly
-- totals kept with them, and volunteers' reports of wrong or missing records (纠错).

ALTER TABLE attendances ADD COLUMN review TEXT CHECK (review IN ('confirmed', 'adjusted', 'rejected'));
ALTER TABLE attendances ADD COLUMN review_reason TEXT;
ALTER TABLE attendances ADD COLUMN fraudulent INTEGER NOT NULL DEFAULT 0 CHECK (fraudulent IN (0, 1));
ALTER TABLE attendances ADD COLUMN reviewed_by INTEGER REFERENCES users (id);
ALTER TABLE attendances ADD COLUMN reviewed_at TEXT;

CREATE TABLE ledger_entries (
    id            INTEGER PRIMARY KEY,
    volunteer_id  INTEGER NOT NULL REFERENCES volunteers (id),
    activity_id   INTEGER REFERENCES activities (id),
    attendance_id INTEGER REFERENCES attendances (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    service_date  TEXT    NOT NULL,
    year          INTEGER NOT NULL,
    minutes       INTEGER NOT NULL,
    source        TEXT    NOT NULL CHECK (source IN ('qr', 'auto_close', 'manual', 'correction', 'import')),
    corrects_id   INTEGER REFERENCES ledger_entries (id),
    reason        TEXT,
    actor_id      INTEGER REFERENCES users (id),
    created_at    TEXT    NOT NULL,
    CHECK (minutes >= 0 OR source = 'correction'),
    CHECK (source NOT IN ('manual', 'correction') OR reason IS NOT NULL)
) STRICT;
CREATE INDEX ledger_entries_volunteer ON ledger_entries (volunteer_id, year);
CREATE INDEX ledger_entries_activity ON ledger_entries (activity_id);
-- An attendance is credited once; later changes are corrections.
CREATE UNIQUE INDEX ledger_entries_one_per_attendance ON ledger_entries (attendance_id)
    WHERE attendance_id IS NOT NULL AND source <> 'correction';

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;

-- 积分: earned from confirmed scanned hours, spent on rewards.
CREATE TABLE points_entries (
    id              INTEGER PRIMARY KEY,
    volunteer_id    INTEGER NOT NULL REFERENCES volunteers (id),
    points          INTEGER NOT NULL,
    source          TEXT    NOT NULL CHECK (source IN ('service', 'redemption', 'correction')),
    ledger_entry_id INTEGER REFERENCES ledger_entries (id),
    redemption_id   INTEGER,
    actor_id        INTEGER REFERENCES users (id),
    created_at      TEXT    NOT NULL
) STRICT;
CREATE INDEX points_entries_volunteer ON points_entries (volunteer_id);
CREATE TRIGGER points_entries_no_update BEFORE UPDATE ON points_entries
BEGIN SELECT RAISE(ABORT, 'points entries are append-only'); END;
CREATE TRIGGER points_entries_no_delete BEFORE DELETE ON points_entries
BEGIN SELECT RAISE(ABORT, 'points entries are append-only'); END;

-- Kept in the same transaction as the entries, so that reports never scan the ledger.
CREATE TABLE volunteer_year_totals (
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
    year         INTEGER NOT NULL,
    minutes      INTEGER NOT NULL DEFAULT 0,
    activities   INTEGER NOT NULL DEFAULT 0,
    points       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (volunteer_id, year)
) STRICT;
CREATE TABLE points_balances (
    volunteer_id INTEGER PRIMARY KEY REFERENCES volunteers (id),
    balance      INTEGER NOT NULL CHECK (balance >= 0)
) STRICT;

CREATE TABLE record_reports (
    id                  INTEGER PRIMARY KEY,
    volunteer_id        INTEGER NOT NULL REFERENCES volunteers (id),
    activity_id         INTEGER NOT NULL REFERENCES activities (id),
    entry_id            INTEGER REFERENCES ledger_entries (id),
    kind                TEXT    NOT NULL CHECK (kind IN ('missing', 'wrong')),
    minutes_claimed     INTEGER CHECK (minutes_claimed >= 0),
    message             TEXT    NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined')),
    resolution_reason   TEXT,
    correction_entry_id INTEGER REFERENCES ledger_entries (id),
    resolved_by         INTEGER REFERENCES users (id),
    resolved_at         TEXT,
    created_at          TEXT    NOT NULL
) STRICT;
CREATE INDEX record_reports_activity ON record_reports (activity_id, status);
CREATE INDEX record_reports_volunteer ON record_reports (volunteer_id);
