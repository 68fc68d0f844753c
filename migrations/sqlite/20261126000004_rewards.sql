-- Partners 社会资源 of a unit, the rewards they give, and volunteers' redemptions paid in points.

CREATE TABLE partners (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    name       TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT    NOT NULL,
    UNIQUE (unit_id, name)
) STRICT;

-- The stock check is what keeps simultaneous redemptions from giving away more than there is.
CREATE TABLE rewards (
    id          INTEGER PRIMARY KEY,
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    description TEXT    NOT NULL DEFAULT '',
    points_cost INTEGER NOT NULL CHECK (points_cost > 0),
    stock       INTEGER NOT NULL CHECK (stock >= 0),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_by  INTEGER REFERENCES users (id),
    created_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX rewards_partner ON rewards (partner_id);

-- Each redemption has one points entry (points_entries.redemption_id; SQLite cannot add a foreign
-- key to an existing table, PostgreSQL has one).
CREATE TABLE redemptions (
    id           INTEGER PRIMARY KEY,
    reward_id    INTEGER NOT NULL REFERENCES rewards (id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
    points       INTEGER NOT NULL CHECK (points > 0),
    created_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX redemptions_volunteer ON redemptions (volunteer_id);
CREATE INDEX redemptions_reward ON redemptions (reward_id);
