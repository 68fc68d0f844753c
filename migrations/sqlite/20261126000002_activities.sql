-- Activities, attendances from QR scans, and the runs of scheduled jobs.

CREATE TABLE activities (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units (id),
    title            TEXT    NOT NULL,
    place            TEXT    NOT NULL,
    content          TEXT    NOT NULL,
    category         TEXT    NOT NULL,
    organiser        TEXT    NOT NULL,
    person_in_charge TEXT    NOT NULL,
    starts_at        TEXT    NOT NULL,
    ends_at          TEXT    NOT NULL CHECK (ends_at > starts_at),
    capacity         INTEGER CHECK (capacity > 0),
    geo_lat          REAL,
    geo_lon          REAL,
    geo_radius_m     REAL CHECK (geo_radius_m > 0),
    qr_mode          TEXT    NOT NULL CHECK (qr_mode IN ('static', 'rotating')),
    qr_secret        BLOB    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    created_by       INTEGER REFERENCES users (id),
    created_at       TEXT    NOT NULL,
    CHECK ((geo_lat IS NULL) = (geo_lon IS NULL) AND (geo_lat IS NULL) = (geo_radius_m IS NULL))
) STRICT;
CREATE INDEX activities_unit ON activities (unit_id, starts_at);
CREATE INDEX activities_ends ON activities (ends_at);

-- One attendance per volunteer per activity: the unique key is what keeps two simultaneous
-- scans from creating two.
CREATE TABLE attendances (
    id               INTEGER PRIMARY KEY,
    activity_id      INTEGER NOT NULL REFERENCES activities (id),
    volunteer_id     INTEGER NOT NULL REFERENCES volunteers (id),
    state            TEXT    NOT NULL CHECK (state IN ('checked_in', 'checked_out', 'auto_closed')),
    checked_in_at    TEXT    NOT NULL,
    checked_out_at   TEXT,
    last_scan_at     TEXT    NOT NULL,
    credited_minutes INTEGER CHECK (credited_minutes >= 0),
    in_lat           REAL,
    in_lon           REAL,
    out_lat          REAL,
    out_lon          REAL,
    outside_geofence INTEGER NOT NULL DEFAULT 0 CHECK (outside_geofence IN (0, 1)),
    UNIQUE (activity_id, volunteer_id)
) STRICT;
CREATE INDEX attendances_volunteer ON attendances (volunteer_id);
CREATE INDEX attendances_open ON attendances (activity_id) WHERE state = 'checked_in';

-- A scheduled job's run for one period happens once, whichever instance claims it first.
CREATE TABLE job_runs (
    job         TEXT NOT NULL,
    period      TEXT NOT NULL,
    instance    TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT,
    PRIMARY KEY (job, period)
) STRICT;
