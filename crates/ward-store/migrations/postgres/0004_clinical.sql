-- Acknowledgement and escalation of urgent messages; clinical roles and their shifts.

CREATE TABLE message_acks (
    message_id UUID NOT NULL REFERENCES messages (id),
    user_id    UUID NOT NULL REFERENCES users (id),
    acked_at   BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

-- One row per urgent or stat message until it is acknowledged or its chain runs out.
CREATE TABLE escalations (
    message_id      UUID PRIMARY KEY REFERENCES messages (id),
    conversation_id UUID NOT NULL REFERENCES conversations (id),
    steps_taken     INTEGER NOT NULL DEFAULT 0,
    due_at          BIGINT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'   -- pending | acknowledged | exhausted
);
CREATE INDEX escalations_due ON escalations (due_at) WHERE state = 'pending';

CREATE TABLE clinical_roles (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    supervisor_id UUID REFERENCES users (id),
    created_at    BIGINT NOT NULL
);

CREATE TABLE role_shifts (
    id        UUID PRIMARY KEY,
    role_id   UUID NOT NULL REFERENCES clinical_roles (id),
    user_id   UUID NOT NULL REFERENCES users (id),
    starts_at BIGINT NOT NULL,
    ends_at   BIGINT NOT NULL
);
CREATE INDEX role_shifts_by_role ON role_shifts (role_id, ends_at);

-- The on-call role an unacknowledged urgent message of a conversation escalates to.
CREATE TABLE conversation_escalation (
    conversation_id UUID PRIMARY KEY REFERENCES conversations (id),
    role_id         UUID NOT NULL REFERENCES clinical_roles (id)
);
