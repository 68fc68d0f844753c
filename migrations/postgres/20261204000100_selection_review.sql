-- The committee's review of a selection round, its public notice 公示 and the awards it grants.
--
-- A round moves draft → notice → final. Decisions (exclude or nominate a volunteer, with a reason
-- and the member's name) are append-only: a volunteer's latest decision is the one that counts.
-- Objections are filed during the notice and each is resolved once. Final winners get an award
-- record (67号令: name, date, granting unit).
ALTER TABLE selections ADD COLUMN published_by BIGINT REFERENCES users (id);
ALTER TABLE selections ADD COLUMN published_at TIMESTAMPTZ;
ALTER TABLE selections ADD COLUMN notice_ends_at TIMESTAMPTZ;
ALTER TABLE selections ADD COLUMN finalized_by BIGINT REFERENCES users (id);
ALTER TABLE selections ADD COLUMN finalized_at TIMESTAMPTZ;

CREATE TABLE selection_decisions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    selection_id BIGINT  NOT NULL REFERENCES selections (id),
    volunteer_id BIGINT  NOT NULL REFERENCES volunteers (id),
    decision     TEXT    NOT NULL CHECK (decision IN ('exclude', 'nominate')),
    reason       TEXT    NOT NULL,
    -- The nomination took the winners beyond the round's quota.
    beyond_quota BOOLEAN NOT NULL DEFAULT FALSE,
    member_id    BIGINT  NOT NULL REFERENCES users (id),
    member_name  TEXT    NOT NULL,
    decided_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX selection_decisions_round ON selection_decisions (selection_id, id);
CREATE TRIGGER selection_decisions_append_only BEFORE UPDATE OR DELETE ON selection_decisions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER selection_decisions_no_truncate BEFORE TRUNCATE ON selection_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE selection_objections (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    selection_id      BIGINT  NOT NULL REFERENCES selections (id),
    volunteer_id      BIGINT  NOT NULL REFERENCES volunteers (id),
    reason            TEXT    NOT NULL,
    filed_by          BIGINT  NOT NULL REFERENCES users (id),
    filed_at          TIMESTAMPTZ NOT NULL,
    upheld            BOOLEAN,
    resolution_reason TEXT,
    resolved_by       BIGINT REFERENCES users (id),
    resolver_name     TEXT,
    resolved_at       TIMESTAMPTZ
);
CREATE INDEX selection_objections_round ON selection_objections (selection_id, id);

-- 表彰奖励 records: one per volunteer and round.
CREATE TABLE awards (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    volunteer_id     BIGINT NOT NULL REFERENCES volunteers (id),
    name             TEXT   NOT NULL,
    granted_on       DATE   NOT NULL,
    granting_unit_id BIGINT NOT NULL REFERENCES units (id),
    selection_id     BIGINT REFERENCES selections (id),
    created_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (selection_id, volunteer_id)
);
CREATE INDEX awards_volunteer ON awards (volunteer_id);
