-- Staff logins and volunteers' phones become separate: a volunteer logs in with the phone in
-- `volunteers`, so their account has no login, and a staff login that looks like a phone number
-- no longer takes that phone from a volunteer. Failed logins are counted in memory now, with
-- growing delays instead of a lock.
--
-- SQLite cannot drop NOT NULL in place: the table is rebuilt. Foreign keys are checked at commit,
-- when every row referenced is in the new table again.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    -- A staff login; NULL for a volunteer's account.
    login         TEXT    UNIQUE,
    password_hash TEXT,
    name          TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
) STRICT;

INSERT INTO users_new (id, login, password_hash, name, created_at)
SELECT id, CASE WHEN id IN (SELECT id FROM volunteers) THEN NULL ELSE login END,
       password_hash, name, created_at
FROM users;

DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
