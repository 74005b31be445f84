-- Acknowledgement and escalation of urgent messages; clinical roles and their shifts.

CREATE TABLE message_acks (
    message_id BLOB NOT NULL REFERENCES messages (id),
    user_id    BLOB NOT NULL REFERENCES users (id),
    acked_at   INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
) STRICT;

-- One row per urgent or stat message until it is acknowledged or its chain runs out.
CREATE TABLE escalations (
    message_id      BLOB PRIMARY KEY REFERENCES messages (id),
    conversation_id BLOB NOT NULL REFERENCES conversations (id),
    steps_taken     INTEGER NOT NULL DEFAULT 0,
    due_at          INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'   -- pending | acknowledged | exhausted
) STRICT;
CREATE INDEX escalations_due ON escalations (due_at) WHERE state = 'pending';

CREATE TABLE clinical_roles (
    id            BLOB PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    supervisor_id BLOB REFERENCES users (id),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE role_shifts (
    id        BLOB PRIMARY KEY,
    role_id   BLOB NOT NULL REFERENCES clinical_roles (id),
    user_id   BLOB NOT NULL REFERENCES users (id),
    starts_at INTEGER NOT NULL,
    ends_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX role_shifts_by_role ON role_shifts (role_id, ends_at);

-- The on-call role an unacknowledged urgent message of a conversation escalates to.
CREATE TABLE conversation_escalation (
    conversation_id BLOB PRIMARY KEY REFERENCES conversations (id),
    role_id         BLOB NOT NULL REFERENCES clinical_roles (id)
) STRICT;
