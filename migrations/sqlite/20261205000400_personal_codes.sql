-- The volunteer's personal code 志愿者码: the serial of the volunteer's current printed card (a
-- new card makes the codes of the earlier ones invalid), and on an attendance the staff account
-- that scanned the volunteer's code to check them in or out (none when the volunteer scanned the
-- activity's code).
ALTER TABLE volunteers ADD COLUMN card_serial INTEGER NOT NULL DEFAULT 1 CHECK (card_serial > 0);

ALTER TABLE attendances ADD COLUMN checked_in_by INTEGER REFERENCES users (id);
ALTER TABLE attendances ADD COLUMN checked_out_by INTEGER REFERENCES users (id);
