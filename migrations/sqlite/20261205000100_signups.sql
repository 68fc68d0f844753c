-- Sign-up 招募报名 for activities: whether an activity requires it, whether its recruitment is
-- open, the volunteers signed up (confirmed within the capacity, or on the waiting list 候补 in
-- the order they came), and the flag on an attendance checked in without a place where sign-up
-- is required.
ALTER TABLE activities ADD COLUMN signup_required INTEGER NOT NULL DEFAULT 0
    CHECK (signup_required IN (0, 1));
ALTER TABLE activities ADD COLUMN recruitment_open INTEGER NOT NULL DEFAULT 1
    CHECK (recruitment_open IN (0, 1));
-- The public list: activities not yet started, by start.
CREATE INDEX activities_starts ON activities (starts_at);

ALTER TABLE attendances ADD COLUMN without_signup INTEGER NOT NULL DEFAULT 0
    CHECK (without_signup IN (0, 1));

-- One sign-up per volunteer per activity; cancelling deletes it (the audit log keeps it). Places
-- and the waiting list go by id: the order in which sign-ups were made.
CREATE TABLE signups (
    id           INTEGER PRIMARY KEY,
    activity_id  INTEGER NOT NULL REFERENCES activities (id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
    state        TEXT    NOT NULL CHECK (state IN ('confirmed', 'waitlisted')),
    signed_up_at TEXT    NOT NULL,
    UNIQUE (activity_id, volunteer_id)
) STRICT;
CREATE INDEX signups_state ON signups (activity_id, state, id);
CREATE INDEX signups_volunteer ON signups (volunteer_id);
