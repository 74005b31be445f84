-- The reviews HIPAA asks of a person: a compliance officer's sign-off note on an alert (sealed
-- under the compliance-records key), and access-review decisions, one row per decision.
ALTER TABLE alerts ADD COLUMN sealed_note BYTEA;

CREATE TABLE access_reviews (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL,
    keep        BOOLEAN NOT NULL,
    reviewed_by UUID NOT NULL REFERENCES users (id),
    reviewed_at BIGINT NOT NULL
);
CREATE INDEX access_reviews_by_user ON access_reviews (user_id, reviewed_at);
