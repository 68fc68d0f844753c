-- Withdrawal 注销: a volunteer who withdraws keeps their row, their number and their community,
-- which key the ledger's anonymous entries and the unit's statistics, while their personal data
-- is erased — name replaced, ID number (sealed, keyed hash and mask), gender, birth date, phone,
-- skills and categories gone. The columns of personal data therefore admit NULL, but only on a
-- withdrawn volunteer's row; the hash and the phone being NULL frees them for a later
-- registration. `withdrawn_at` dates the withdrawal, from which the registered count drops.
--
-- Redemptions get the code a partner checks before handing a reward over, and the time it was
-- handed over. Redemptions made before have no code.
ALTER TABLE volunteers
    ALTER COLUMN id_number_enc DROP NOT NULL,
    ALTER COLUMN id_number_hash DROP NOT NULL,
    ALTER COLUMN id_number_masked DROP NOT NULL,
    ALTER COLUMN gender DROP NOT NULL,
    ALTER COLUMN birth_date DROP NOT NULL,
    ALTER COLUMN phone DROP NOT NULL,
    ADD COLUMN withdrawn_at TIMESTAMPTZ,
    DROP CONSTRAINT volunteers_status_check,
    ADD CONSTRAINT volunteers_status_check
        CHECK (status IN ('active', 'inactive', 'withdrawn')),
    ADD CONSTRAINT volunteers_withdrawn_at CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL)),
    ADD CONSTRAINT volunteers_personal_data CHECK (status = 'withdrawn' OR (id_number_enc IS NOT NULL
        AND id_number_hash IS NOT NULL AND id_number_masked IS NOT NULL AND gender IS NOT NULL
        AND birth_date IS NOT NULL AND phone IS NOT NULL));

ALTER TABLE redemptions ADD COLUMN code TEXT UNIQUE, ADD COLUMN handed_over_at TIMESTAMPTZ;
