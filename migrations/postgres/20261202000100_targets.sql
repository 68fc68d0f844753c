-- The policy targets: counts per community and year that the targets report sums instead of
-- scanning volunteers, monthly totals for the backbone rule's trailing months, backbone status
-- with its history, social-work qualifications of staff, and volunteers' social workers.

-- Stocks are kept as yearly changes: registered volunteers at the end of year Y are the sum of
-- `registered_change` over the years up to Y, and likewise for backbone volunteers. `active`
-- counts the community's volunteers with confirmed service time in the year. Years are read in
-- the service's display time; the service fills this table from the volunteers and totals the
-- first time it starts on this schema, and keeps it in the same transactions as what it counts.
CREATE TABLE community_year_counts (
    unit_id           BIGINT NOT NULL REFERENCES units (id),
    year              INTEGER NOT NULL,
    registered_change INTEGER NOT NULL DEFAULT 0,
    active            INTEGER NOT NULL DEFAULT 0,
    backbone_change   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, year)
);

-- Kept with the yearly totals; `month` is year * 100 + month of the service date.
CREATE TABLE volunteer_month_totals (
    volunteer_id BIGINT NOT NULL REFERENCES volunteers (id),
    month        INTEGER NOT NULL,
    minutes      INTEGER NOT NULL DEFAULT 0,
    activities   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (volunteer_id, month)
);
CREATE INDEX volunteer_month_totals_month ON volunteer_month_totals (month, volunteer_id);
INSERT INTO volunteer_month_totals (volunteer_id, month, minutes, activities)
SELECT volunteer_id, CAST(to_char(service_date, 'YYYYMM') AS INTEGER), SUM(minutes), COUNT(DISTINCT activity_id)
FROM ledger_entries GROUP BY 1, 2;

-- Every change of a volunteer's backbone status 骨干志愿者, by the rule or by a person.
CREATE TABLE backbone_changes (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    volunteer_id BIGINT NOT NULL REFERENCES volunteers (id),
    backbone     BOOLEAN NOT NULL,
    basis        TEXT    NOT NULL CHECK (basis IN ('rule', 'designation', 'revocation')),
    reason       TEXT    NOT NULL,
    actor_id     BIGINT REFERENCES users (id),
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX backbone_changes_volunteer ON backbone_changes (volunteer_id, id);
CREATE TRIGGER backbone_changes_append_only BEFORE UPDATE OR DELETE ON backbone_changes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER backbone_changes_no_truncate BEFORE TRUNCATE ON backbone_changes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The current status: `by_rule` as the daily job last found it, `designated` a person's decision
-- (true designated, false revoked, NULL none) that overrides the rule, and the outcome. Its
-- reason and date are those of the volunteer's last change.
CREATE TABLE backbone_status (
    volunteer_id BIGINT PRIMARY KEY REFERENCES volunteers (id),
    by_rule      BOOLEAN NOT NULL DEFAULT FALSE,
    designated   BOOLEAN,
    backbone     BOOLEAN NOT NULL
);
CREATE INDEX backbone_status_rule ON backbone_status (by_rule, volunteer_id);

-- A professional social worker's qualification 社会工作职业资格.
ALTER TABLE users ADD COLUMN qualification_level TEXT
    CHECK (qualification_level IN ('assistant', 'intermediate', 'senior'));
ALTER TABLE users ADD COLUMN qualification_no TEXT;

-- The social worker who guides a volunteer 社工引领志愿者.
CREATE TABLE volunteer_social_workers (
    volunteer_id     BIGINT PRIMARY KEY REFERENCES volunteers (id),
    social_worker_id BIGINT NOT NULL REFERENCES users (id),
    assigned_by      BIGINT NOT NULL REFERENCES users (id),
    assigned_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX volunteer_social_workers_worker ON volunteer_social_workers (social_worker_id, volunteer_id);
