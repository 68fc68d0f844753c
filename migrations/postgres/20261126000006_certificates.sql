-- Certificates 志愿服务记录证明: a signed snapshot of a volunteer's service over a period.
-- `content` is the canonical JSON text exactly as signed (HMAC-SHA256, hex in `signature`);
-- verification recomputes the signature over it, so it is TEXT, not JSONB (which would reformat it).

CREATE TABLE certificates (
    number       TEXT        PRIMARY KEY,
    volunteer_id BIGINT      NOT NULL REFERENCES volunteers (id),
    period_from  DATE        NOT NULL,
    period_to    DATE        NOT NULL,
    content      TEXT        NOT NULL,
    signature    TEXT        NOT NULL,
    issued_by    BIGINT      NOT NULL REFERENCES users (id),
    issued_at    TIMESTAMPTZ NOT NULL,
    CHECK (period_from <= period_to)
);
CREATE INDEX certificates_volunteer ON certificates (volunteer_id, issued_at);
