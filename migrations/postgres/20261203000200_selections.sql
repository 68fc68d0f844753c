-- The yearly outstanding-volunteer selection 优秀志愿者评选: one round per unit and year, with the
-- rule set it applied, the digest of its inputs and every candidate's rank, score and breakdown
-- (or why the rules left them out).
CREATE TABLE selections (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id      BIGINT NOT NULL REFERENCES units (id),
    year         INTEGER NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'notice', 'final')),
    rules        TEXT    NOT NULL,
    input_digest TEXT    NOT NULL,
    quota        INTEGER NOT NULL,
    opened_by    BIGINT REFERENCES users (id),
    opened_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (unit_id, year)
);

CREATE TABLE selection_candidates (
    selection_id BIGINT NOT NULL REFERENCES selections (id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers (id),
    volunteer_no TEXT    NOT NULL,
    rank         INTEGER,
    score        TEXT,
    breakdown    TEXT,
    within_quota BOOLEAN NOT NULL DEFAULT FALSE,
    exclusions   TEXT,
    PRIMARY KEY (selection_id, volunteer_id)
);

-- Fraud bars a volunteer from the year's selection: found without scanning attendances.
CREATE INDEX attendances_fraudulent ON attendances (volunteer_id) WHERE fraudulent;
