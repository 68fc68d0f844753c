-- Staff logins and volunteers' phones become separate: a volunteer logs in with the phone in
-- `volunteers`, so their account has no login, and a staff login that looks like a phone number
-- no longer takes that phone from a volunteer. Failed logins are counted in memory now, with
-- growing delays instead of a lock.
ALTER TABLE users ALTER COLUMN login DROP NOT NULL;
COMMENT ON COLUMN users.login IS 'A staff login; NULL for a volunteer''s account.';
UPDATE users SET login = NULL WHERE id IN (SELECT id FROM volunteers);
ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN last_failed_login_at;
