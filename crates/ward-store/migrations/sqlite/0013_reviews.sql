-- The reviews HIPAA asks of a person: a compliance officer's sign-off note on an alert (sealed
-- under the compliance-records key), and access-review decisions, one row per decision.
ALTER TABLE alerts ADD COLUMN sealed_note BLOB;

CREATE TABLE access_reviews (
    id          BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL,
    keep        INTEGER NOT NULL,   -- 1 keep, 0 remove
    reviewed_by BLOB NOT NULL REFERENCES users (id),
    reviewed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX access_reviews_by_user ON access_reviews (user_id, reviewed_at);
