-- The unit tree, accounts, sessions, grants, volunteers and the audit log.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE units (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT        NOT NULL CHECK (length(trim(name)) > 0),
    kind       TEXT        NOT NULL CHECK (kind IN ('district', 'street', 'community')),
    parent_id  BIGINT REFERENCES units (id),
    path       TEXT        NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (parent_id, name)
);
CREATE UNIQUE INDEX units_one_root ON units (kind) WHERE parent_id IS NULL;
CREATE INDEX units_path_prefix ON units (path text_pattern_ops);

CREATE TABLE unit_populations (
    unit_id             BIGINT  NOT NULL REFERENCES units (id),
    year                INTEGER NOT NULL CHECK (year BETWEEN 1949 AND 9999),
    resident_population BIGINT  NOT NULL CHECK (resident_population >= 0),
    PRIMARY KEY (unit_id, year)
);

CREATE TABLE organisations (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id    BIGINT      NOT NULL REFERENCES units (id),
    name       TEXT        NOT NULL,
    org_type   TEXT        NOT NULL CHECK (org_type IN ('volunteer_service', 'community_social')),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (unit_id, name)
);

CREATE TABLE users (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login                TEXT        NOT NULL UNIQUE,
    password_hash        TEXT,
    name                 TEXT        NOT NULL,
    failed_logins        INTEGER     NOT NULL DEFAULT 0,
    last_failed_login_at TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE grants (
    user_id    BIGINT      NOT NULL REFERENCES users (id),
    role       TEXT        NOT NULL CHECK (role IN ('organizer', 'social_worker', 'unit_admin', 'committee', 'district_admin')),
    unit_id    BIGINT      NOT NULL REFERENCES units (id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, role, unit_id)
);

CREATE TABLE volunteers (
    id                  BIGINT PRIMARY KEY REFERENCES users (id),
    volunteer_no        TEXT        NOT NULL UNIQUE,
    name                TEXT        NOT NULL,
    id_number_enc       BYTEA       NOT NULL,
    id_number_hash      TEXT        NOT NULL UNIQUE,
    id_number_masked    TEXT        NOT NULL,
    gender              TEXT        NOT NULL CHECK (gender IN ('male', 'female')),
    birth_date          DATE        NOT NULL,
    phone               TEXT        NOT NULL UNIQUE,
    community_id        BIGINT      NOT NULL REFERENCES units (id),
    skills              JSONB       NOT NULL DEFAULT '[]',
    service_categories  JSONB       NOT NULL DEFAULT '[]',
    status              TEXT        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    registered_via      TEXT        NOT NULL CHECK (registered_via IN ('self', 'staff', 'import', 'demo')),
    consent_recorded_by BIGINT REFERENCES users (id),
    registered_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX volunteers_community ON volunteers (community_id, id);

CREATE TABLE audit_log (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor_id  BIGINT REFERENCES users (id),
    action    TEXT        NOT NULL,
    entity    TEXT        NOT NULL,
    entity_id TEXT        NOT NULL,
    unit_id   BIGINT REFERENCES units (id),
    unit_path TEXT,
    before    JSONB,
    after     JSONB
);
CREATE INDEX audit_log_unit_path ON audit_log (unit_path text_pattern_ops, id);
