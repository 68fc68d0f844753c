-- The committee's review of a selection round, its public notice 公示 and the awards it grants.
--
-- A round moves draft → notice → final. Decisions (exclude or nominate a volunteer, with a reason
-- and the member's name) are append-only: a volunteer's latest decision is the one that counts.
-- Objections are filed during the notice and each is resolved once. Final winners get an award
-- record (67号令: name, date, granting unit).
ALTER TABLE selections ADD COLUMN published_by INTEGER REFERENCES users (id);
ALTER TABLE selections ADD COLUMN published_at TEXT;
ALTER TABLE selections ADD COLUMN notice_ends_at TEXT;
ALTER TABLE selections ADD COLUMN finalized_by INTEGER REFERENCES users (id);
ALTER TABLE selections ADD COLUMN finalized_at TEXT;

CREATE TABLE selection_decisions (
    id           INTEGER PRIMARY KEY,
    selection_id INTEGER NOT NULL REFERENCES selections (id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
    decision     TEXT    NOT NULL CHECK (decision IN ('exclude', 'nominate')),
    reason       TEXT    NOT NULL,
    -- The nomination took the winners beyond the round's quota.
    beyond_quota INTEGER NOT NULL DEFAULT 0 CHECK (beyond_quota IN (0, 1)),
    member_id    INTEGER NOT NULL REFERENCES users (id),
    member_name  TEXT    NOT NULL,
    decided_at   TEXT    NOT NULL
) STRICT;
CREATE INDEX selection_decisions_round ON selection_decisions (selection_id, id);
CREATE TRIGGER selection_decisions_no_update BEFORE UPDATE ON selection_decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER selection_decisions_no_delete BEFORE DELETE ON selection_decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

CREATE TABLE selection_objections (
    id                INTEGER PRIMARY KEY,
    selection_id      INTEGER NOT NULL REFERENCES selections (id),
    volunteer_id      INTEGER NOT NULL REFERENCES volunteers (id),
    reason            TEXT    NOT NULL,
    filed_by          INTEGER NOT NULL REFERENCES users (id),
    filed_at          TEXT    NOT NULL,
    upheld            INTEGER CHECK (upheld IN (0, 1)),
    resolution_reason TEXT,
    resolved_by       INTEGER REFERENCES users (id),
    resolver_name     TEXT,
    resolved_at       TEXT
) STRICT;
CREATE INDEX selection_objections_round ON selection_objections (selection_id, id);

-- 表彰奖励 records: one per volunteer and round.
CREATE TABLE awards (
    id              INTEGER PRIMARY KEY,
    volunteer_id    INTEGER NOT NULL REFERENCES volunteers (id),
    name            TEXT    NOT NULL,
    granted_on      TEXT    NOT NULL,
    granting_unit_id INTEGER NOT NULL REFERENCES units (id),
    selection_id    INTEGER REFERENCES selections (id),
    created_at      TEXT    NOT NULL,
    UNIQUE (selection_id, volunteer_id)
) STRICT;
CREATE INDEX awards_volunteer ON awards (volunteer_id);
