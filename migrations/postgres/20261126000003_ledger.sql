-- The hours ledger: reviews of attendances, append-only service entries and points entries, yearly
-- totals kept with them, and volunteers' reports of wrong or missing records (纠错).

ALTER TABLE attendances ADD COLUMN review TEXT CHECK (review IN ('confirmed', 'adjusted', 'rejected'));
ALTER TABLE attendances ADD COLUMN review_reason TEXT;
ALTER TABLE attendances ADD COLUMN fraudulent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE attendances ADD COLUMN reviewed_by BIGINT REFERENCES users (id);
ALTER TABLE attendances ADD COLUMN reviewed_at TIMESTAMPTZ;

CREATE TABLE ledger_entries (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    volunteer_id  BIGINT      NOT NULL REFERENCES volunteers (id),
    activity_id   BIGINT REFERENCES activities (id),
    attendance_id BIGINT REFERENCES attendances (id),
    unit_id       BIGINT      NOT NULL REFERENCES units (id),
    service_date  DATE        NOT NULL,
    year          INTEGER     NOT NULL,
    minutes       INTEGER     NOT NULL,
    source        TEXT        NOT NULL CHECK (source IN ('qr', 'auto_close', 'manual', 'correction', 'import')),
    corrects_id   BIGINT REFERENCES ledger_entries (id),
    reason        TEXT,
    actor_id      BIGINT REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK (minutes >= 0 OR source = 'correction'),
    CHECK (source NOT IN ('manual', 'correction') OR reason IS NOT NULL)
);
CREATE INDEX ledger_entries_volunteer ON ledger_entries (volunteer_id, year);
CREATE INDEX ledger_entries_activity ON ledger_entries (activity_id);
CREATE UNIQUE INDEX ledger_entries_one_per_attendance ON ledger_entries (attendance_id)
    WHERE attendance_id IS NOT NULL AND source <> 'correction';

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE points_entries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    volunteer_id    BIGINT      NOT NULL REFERENCES volunteers (id),
    points          INTEGER     NOT NULL,
    source          TEXT        NOT NULL CHECK (source IN ('service', 'redemption', 'correction')),
    ledger_entry_id BIGINT REFERENCES ledger_entries (id),
    redemption_id   BIGINT,
    actor_id        BIGINT REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX points_entries_volunteer ON points_entries (volunteer_id);
CREATE TRIGGER points_entries_append_only BEFORE UPDATE OR DELETE ON points_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER points_entries_no_truncate BEFORE TRUNCATE ON points_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE volunteer_year_totals (
    volunteer_id BIGINT  NOT NULL REFERENCES volunteers (id),
    year         INTEGER NOT NULL,
    minutes      BIGINT  NOT NULL DEFAULT 0,
    activities   INTEGER NOT NULL DEFAULT 0,
    points       BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (volunteer_id, year)
);
CREATE TABLE points_balances (
    volunteer_id BIGINT PRIMARY KEY REFERENCES volunteers (id),
    balance      BIGINT NOT NULL CHECK (balance >= 0)
);

CREATE TABLE record_reports (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    volunteer_id        BIGINT      NOT NULL REFERENCES volunteers (id),
    activity_id         BIGINT      NOT NULL REFERENCES activities (id),
    entry_id            BIGINT REFERENCES ledger_entries (id),
    kind                TEXT        NOT NULL CHECK (kind IN ('missing', 'wrong')),
    minutes_claimed     INTEGER CHECK (minutes_claimed >= 0),
    message             TEXT        NOT NULL,
    status              TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined')),
    resolution_reason   TEXT,
    correction_entry_id BIGINT REFERENCES ledger_entries (id),
    resolved_by         BIGINT REFERENCES users (id),
    resolved_at         TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX record_reports_activity ON record_reports (activity_id, status);
CREATE INDEX record_reports_volunteer ON record_reports (volunteer_id);
