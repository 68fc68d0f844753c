-- Withdrawal 注销: a volunteer who withdraws keeps their row, their number and their community,
-- which key the ledger's anonymous entries and the unit's statistics, while their personal data
-- is erased — name replaced, ID number (sealed, keyed hash and mask), gender, birth date, phone,
-- skills and categories gone. The columns of personal data therefore admit NULL, but only on a
-- withdrawn volunteer's row; the hash and the phone being NULL frees them for a later
-- registration. `withdrawn_at` dates the withdrawal, from which the registered count drops.
--
-- Redemptions get the code a partner checks before handing a reward over, and the time it was
-- handed over. Redemptions made before have no code.
--
-- SQLite cannot drop NOT NULL or change a CHECK in place: the table is rebuilt. Foreign keys are
-- checked at commit, when every row referenced is in the new table again.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE volunteers_new (
    id                 INTEGER PRIMARY KEY REFERENCES users (id),
    volunteer_no       TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    id_number_enc      BLOB,
    id_number_hash     TEXT    UNIQUE,
    id_number_masked   TEXT,
    gender             TEXT    CHECK (gender IN ('male', 'female')),
    birth_date         TEXT,
    phone              TEXT    UNIQUE,
    community_id       INTEGER NOT NULL REFERENCES units (id),
    skills             TEXT    NOT NULL DEFAULT '[]',
    service_categories TEXT    NOT NULL DEFAULT '[]',
    status             TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'withdrawn')),
    registered_via     TEXT    NOT NULL CHECK (registered_via IN ('self', 'staff', 'import', 'demo')),
    consent_recorded_by INTEGER REFERENCES users (id),
    registered_at      TEXT    NOT NULL,
    withdrawn_at       TEXT,
    CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL)),
    CHECK (status = 'withdrawn' OR (id_number_enc IS NOT NULL AND id_number_hash IS NOT NULL
        AND id_number_masked IS NOT NULL AND gender IS NOT NULL AND birth_date IS NOT NULL
        AND phone IS NOT NULL))
) STRICT;

INSERT INTO volunteers_new (id, volunteer_no, name, id_number_enc, id_number_hash,
    id_number_masked, gender, birth_date, phone, community_id, skills, service_categories, status,
    registered_via, consent_recorded_by, registered_at)
SELECT id, volunteer_no, name, id_number_enc, id_number_hash, id_number_masked, gender,
    birth_date, phone, community_id, skills, service_categories, status, registered_via,
    consent_recorded_by, registered_at
FROM volunteers;

DROP TABLE volunteers;
ALTER TABLE volunteers_new RENAME TO volunteers;
CREATE INDEX volunteers_community ON volunteers (community_id, id);
CREATE INDEX volunteers_community_no ON volunteers (community_id, volunteer_no);
CREATE INDEX volunteers_community_name ON volunteers (community_id, name, id);

ALTER TABLE redemptions ADD COLUMN code TEXT;
ALTER TABLE redemptions ADD COLUMN handed_over_at TEXT;
CREATE UNIQUE INDEX redemptions_code ON redemptions (code);
