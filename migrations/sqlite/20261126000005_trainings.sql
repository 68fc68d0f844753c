-- Trainings 培训记录 (民政部令第67号: name, content, study hours, host, date) and who attended.
-- Study time is not service time: it stays out of the ledger and its yearly totals.

CREATE TABLE trainings (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    name          TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    study_minutes INTEGER NOT NULL CHECK (study_minutes > 0 AND study_minutes <= 1440),
    host          TEXT    NOT NULL,
    held_on       TEXT    NOT NULL,
    recorded_by   INTEGER NOT NULL REFERENCES users (id),
    created_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX trainings_unit ON trainings (unit_id, held_on);

CREATE TABLE training_attendees (
    training_id  INTEGER NOT NULL REFERENCES trainings (id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
    PRIMARY KEY (training_id, volunteer_id)
) STRICT, WITHOUT ROWID;
-- A volunteer's trainings of a year (their record, their study time).
CREATE INDEX training_attendees_volunteer ON training_attendees (volunteer_id);
