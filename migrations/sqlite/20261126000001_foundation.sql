-- The unit tree, accounts, sessions, grants, volunteers and the audit log.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE units (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    kind       TEXT    NOT NULL CHECK (kind IN ('district', 'street', 'community')),
    parent_id  INTEGER REFERENCES units (id),
    path       TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL,
    UNIQUE (parent_id, name)
) STRICT;
-- Only one district.
CREATE UNIQUE INDEX units_one_root ON units (kind) WHERE parent_id IS NULL;

CREATE TABLE unit_populations (
    unit_id             INTEGER NOT NULL REFERENCES units (id),
    year                INTEGER NOT NULL CHECK (year BETWEEN 1949 AND 9999),
    resident_population INTEGER NOT NULL CHECK (resident_population >= 0),
    PRIMARY KEY (unit_id, year)
) STRICT;

CREATE TABLE organisations (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    name       TEXT    NOT NULL,
    org_type   TEXT    NOT NULL CHECK (org_type IN ('volunteer_service', 'community_social')),
    created_at TEXT    NOT NULL,
    UNIQUE (unit_id, name)
) STRICT;

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    login                TEXT    NOT NULL UNIQUE,
    password_hash        TEXT,
    name                 TEXT    NOT NULL,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    last_failed_login_at TEXT,
    created_at           TEXT    NOT NULL
) STRICT;

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    ended_at   TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE grants (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL CHECK (role IN ('organizer', 'social_worker', 'unit_admin', 'committee', 'district_admin')),
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    created_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, role, unit_id)
) STRICT;

CREATE TABLE volunteers (
    id                 INTEGER PRIMARY KEY REFERENCES users (id),
    volunteer_no       TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    id_number_enc      BLOB    NOT NULL,
    id_number_hash     TEXT    NOT NULL UNIQUE,
    id_number_masked   TEXT    NOT NULL,
    gender             TEXT    NOT NULL CHECK (gender IN ('male', 'female')),
    birth_date         TEXT    NOT NULL,
    phone              TEXT    NOT NULL UNIQUE,
    community_id       INTEGER NOT NULL REFERENCES units (id),
    skills             TEXT    NOT NULL DEFAULT '[]',
    service_categories TEXT    NOT NULL DEFAULT '[]',
    status             TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    registered_via     TEXT    NOT NULL CHECK (registered_via IN ('self', 'staff', 'import', 'demo')),
    consent_recorded_by INTEGER REFERENCES users (id),
    registered_at      TEXT    NOT NULL
) STRICT;
CREATE INDEX volunteers_community ON volunteers (community_id, id);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    actor_id  INTEGER REFERENCES users (id),
    action    TEXT    NOT NULL,
    entity    TEXT    NOT NULL,
    entity_id TEXT    NOT NULL,
    unit_id   INTEGER REFERENCES units (id),
    unit_path TEXT,
    before    TEXT,
    after     TEXT
) STRICT;
CREATE INDEX audit_log_unit_path ON audit_log (unit_path, id);
