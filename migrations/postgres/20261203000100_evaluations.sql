-- Evaluations 服务评价 (67号令): the organizer's rating of a volunteer's service at an activity,
-- kept with the service record. Append-only: a later change is a new evaluation that supersedes
-- the one before it.
CREATE TABLE evaluations (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attendance_id BIGINT      NOT NULL REFERENCES attendances (id),
    volunteer_id  BIGINT      NOT NULL REFERENCES volunteers (id),
    activity_id   BIGINT      NOT NULL REFERENCES activities (id),
    rating        TEXT        NOT NULL CHECK (rating IN ('excellent', 'good', 'pass', 'fail')),
    comment       TEXT,
    supersedes_id BIGINT REFERENCES evaluations (id),
    evaluated_by  BIGINT      NOT NULL REFERENCES users (id),
    evaluated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX evaluations_attendance ON evaluations (attendance_id, id);
CREATE INDEX evaluations_volunteer ON evaluations (volunteer_id, id);
CREATE TRIGGER evaluations_append_only BEFORE UPDATE OR DELETE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER evaluations_no_truncate BEFORE TRUNCATE ON evaluations
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
