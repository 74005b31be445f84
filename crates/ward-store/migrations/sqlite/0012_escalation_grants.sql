-- An escalation brings the on-call holder, then the supervisor, to one message without making
-- them members: a grant to read that message (and a few before it), acknowledge and answer
-- it, until it is acknowledged or the grant's time runs out.
CREATE TABLE escalation_grants (
    id              BLOB PRIMARY KEY,
    message_id      BLOB NOT NULL REFERENCES messages (id),
    conversation_id BLOB NOT NULL REFERENCES conversations (id),
    user_id         BLOB NOT NULL REFERENCES users (id),
    step            TEXT NOT NULL,      -- on_call | supervisor
    granted_at      INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL,
    ended_at        INTEGER,
    end_reason      TEXT                -- acknowledged | expired
) STRICT;
CREATE INDEX escalation_grants_by_user ON escalation_grants (user_id, conversation_id)
    WHERE ended_at IS NULL;
CREATE INDEX escalation_grants_by_message ON escalation_grants (message_id)
    WHERE ended_at IS NULL;
CREATE INDEX escalation_grants_open ON escalation_grants (ends_at) WHERE ended_at IS NULL;
