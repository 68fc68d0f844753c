-- Partners 社会资源 of a unit, the rewards they give, and volunteers' redemptions paid in points.

CREATE TABLE partners (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id    BIGINT      NOT NULL REFERENCES units (id),
    name       TEXT        NOT NULL CHECK (length(trim(name)) > 0),
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (unit_id, name)
);

-- The stock check is what keeps simultaneous redemptions from giving away more than there is.
CREATE TABLE rewards (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id  BIGINT      NOT NULL REFERENCES partners (id),
    name        TEXT        NOT NULL CHECK (length(trim(name)) > 0),
    description TEXT        NOT NULL DEFAULT '',
    points_cost INTEGER     NOT NULL CHECK (points_cost > 0),
    stock       INTEGER     NOT NULL CHECK (stock >= 0),
    active      BOOLEAN     NOT NULL DEFAULT TRUE,
    created_by  BIGINT REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX rewards_partner ON rewards (partner_id);

CREATE TABLE redemptions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reward_id    BIGINT      NOT NULL REFERENCES rewards (id),
    volunteer_id BIGINT      NOT NULL REFERENCES volunteers (id),
    points       INTEGER     NOT NULL CHECK (points > 0),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX redemptions_volunteer ON redemptions (volunteer_id);
CREATE INDEX redemptions_reward ON redemptions (reward_id);

-- Each redemption has one points entry.
ALTER TABLE points_entries ADD CONSTRAINT points_entries_redemption
    FOREIGN KEY (redemption_id) REFERENCES redemptions (id);
