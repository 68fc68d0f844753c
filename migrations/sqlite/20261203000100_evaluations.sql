-- Evaluations 服务评价 (67号令): the organizer's rating of a volunteer's service at an activity,
-- kept with the service record. Append-only: a later change is a new evaluation that supersedes
-- the one before it.
CREATE TABLE evaluations (
    id            INTEGER PRIMARY KEY,
    attendance_id INTEGER NOT NULL REFERENCES attendances (id),
    volunteer_id  INTEGER NOT NULL REFERENCES volunteers (id),
    activity_id   INTEGER NOT NULL REFERENCES activities (id),
    rating        TEXT    NOT NULL CHECK (rating IN ('excellent', 'good', 'pass', 'fail')),
    comment       TEXT,
    supersedes_id INTEGER REFERENCES evaluations (id),
    evaluated_by  INTEGER NOT NULL REFERENCES users (id),
    evaluated_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX evaluations_attendance ON evaluations (attendance_id, id);
CREATE INDEX evaluations_volunteer ON evaluations (volunteer_id, id);
CREATE TRIGGER evaluations_no_update BEFORE UPDATE ON evaluations
BEGIN SELECT RAISE(ABORT, 'evaluations are append-only'); END;
CREATE TRIGGER evaluations_no_delete BEFORE DELETE ON evaluations
BEGIN SELECT RAISE(ABORT, 'evaluations are append-only'); END;
