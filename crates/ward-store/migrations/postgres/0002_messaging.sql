-- Patients, conversations, messages, the event log that devices sync from, and receipts.

CREATE TABLE patients (
    id                  UUID PRIMARY KEY,
    mrn_index           BYTEA NOT NULL UNIQUE,     -- HMAC-SHA256 of the MRN (blind index)
    sealed_demographics BYTEA NOT NULL,            -- AES-256-GCM under the patient-records key
    user_id             UUID UNIQUE REFERENCES users (id),
    created_at          BIGINT NOT NULL
);

CREATE TABLE care_team (
    patient_id UUID NOT NULL REFERENCES patients (id),
    user_id    UUID NOT NULL REFERENCES users (id),
    PRIMARY KEY (patient_id, user_id)
);
CREATE INDEX care_team_by_user ON care_team (user_id);

CREATE TABLE conversations (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    sealed_title BYTEA,
    patient_id   UUID REFERENCES patients (id),
    direct_key   TEXT UNIQUE,
    created_by   UUID NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    last_seq     BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX one_care_team_per_patient ON conversations (patient_id) WHERE kind = 'care_team';

-- One row per stretch of membership: joined at an event, left at a later one (or still in).
CREATE TABLE memberships (
    conversation_id UUID NOT NULL REFERENCES conversations (id),
    user_id         UUID NOT NULL REFERENCES users (id),
    joined_event    BIGINT NOT NULL,
    left_event      BIGINT,
    PRIMARY KEY (conversation_id, user_id, joined_event)
);
CREATE INDEX memberships_by_user ON memberships (user_id, left_event);

CREATE TABLE messages (
    id              UUID PRIMARY KEY,
    conversation_id UUID NOT NULL REFERENCES conversations (id),
    seq             BIGINT NOT NULL,
    sender_id       UUID NOT NULL REFERENCES users (id),
    client_id       UUID NOT NULL,
    priority        TEXT NOT NULL,
    epoch           BIGINT NOT NULL,
    sealed_body     BYTEA NOT NULL,            -- AES-256-GCM under the conversation's epoch key
    created_at      BIGINT NOT NULL,
    event_seq       BIGINT NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (sender_id, client_id)
);

CREATE INDEX messages_by_event ON messages (event_seq);

CREATE TABLE events (
    seq             BIGINT PRIMARY KEY,
    conversation_id UUID NOT NULL,
    kind            TEXT NOT NULL,
    message_id      UUID,
    user_id         UUID,
    at              BIGINT NOT NULL
);
CREATE INDEX events_by_conversation ON events (conversation_id, seq);

CREATE TABLE receipts (
    conversation_id UUID NOT NULL REFERENCES conversations (id),
    user_id         UUID NOT NULL REFERENCES users (id),
    delivered_seq   BIGINT NOT NULL DEFAULT 0,
    read_seq        BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);

-- How far each device has received the event log.
CREATE TABLE device_cursors (
    session_id UUID PRIMARY KEY REFERENCES sessions (id),
    cursor     BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
