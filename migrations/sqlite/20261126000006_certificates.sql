-- Certificates 志愿服务记录证明: a signed snapshot of a volunteer's service over a period.
-- `content` is the canonical JSON text exactly as signed (HMAC-SHA256, hex in `signature`);
-- verification recomputes the signature over it, so it is kept as text, never reformatted.

CREATE TABLE certificates (
    number       TEXT    PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
    period_from  TEXT    NOT NULL,
    period_to    TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    signature    TEXT    NOT NULL,
    issued_by    INTEGER NOT NULL REFERENCES users (id),
    issued_at    TEXT    NOT NULL,
    CHECK (period_from <= period_to)
) STRICT;
CREATE INDEX certificates_volunteer ON certificates (volunteer_id, issued_at);
