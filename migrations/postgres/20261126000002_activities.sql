-- Activities, attendances from QR scans, and the runs of scheduled jobs.

CREATE TABLE activities (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id          BIGINT           NOT NULL REFERENCES units (id),
    title            TEXT             NOT NULL,
    place            TEXT             NOT NULL,
    content          TEXT             NOT NULL,
    category         TEXT             NOT NULL,
    organiser        TEXT             NOT NULL,
    person_in_charge TEXT             NOT NULL,
    starts_at        TIMESTAMPTZ      NOT NULL,
    ends_at          TIMESTAMPTZ      NOT NULL CHECK (ends_at > starts_at),
    capacity         INTEGER CHECK (capacity > 0),
    geo_lat          DOUBLE PRECISION,
    geo_lon          DOUBLE PRECISION,
    geo_radius_m     DOUBLE PRECISION CHECK (geo_radius_m > 0),
    qr_mode          TEXT             NOT NULL CHECK (qr_mode IN ('static', 'rotating')),
    qr_secret        BYTEA            NOT NULL,
    status           TEXT             NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    created_by       BIGINT REFERENCES users (id),
    created_at       TIMESTAMPTZ      NOT NULL,
    CHECK ((geo_lat IS NULL) = (geo_lon IS NULL) AND (geo_lat IS NULL) = (geo_radius_m IS NULL))
);
CREATE INDEX activities_unit ON activities (unit_id, starts_at);
CREATE INDEX activities_ends ON activities (ends_at);

-- One attendance per volunteer per activity: the unique key is what keeps two simultaneous
-- scans from creating two.
CREATE TABLE attendances (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id      BIGINT      NOT NULL REFERENCES activities (id),
    volunteer_id     BIGINT      NOT NULL REFERENCES volunteers (id),
    state            TEXT        NOT NULL CHECK (state IN ('checked_in', 'checked_out', 'auto_closed')),
    checked_in_at    TIMESTAMPTZ NOT NULL,
    checked_out_at   TIMESTAMPTZ,
    last_scan_at     TIMESTAMPTZ NOT NULL,
    credited_minutes INTEGER CHECK (credited_minutes >= 0),
    in_lat           DOUBLE PRECISION,
    in_lon           DOUBLE PRECISION,
    out_lat          DOUBLE PRECISION,
    out_lon          DOUBLE PRECISION,
    outside_geofence BOOLEAN     NOT NULL DEFAULT FALSE,
    UNIQUE (activity_id, volunteer_id)
);
CREATE INDEX attendances_volunteer ON attendances (volunteer_id);
CREATE INDEX attendances_open ON attendances (activity_id) WHERE state = 'checked_in';

-- A scheduled job's run for one period happens once, whichever instance claims it first.
CREATE TABLE job_runs (
    job         TEXT        NOT NULL,
    period      TEXT        NOT NULL,
    instance    TEXT        NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    outcome     TEXT,
    PRIMARY KEY (job, period)
);
