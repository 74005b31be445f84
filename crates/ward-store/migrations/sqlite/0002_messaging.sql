-- Patients, conversations, messages, the event log that devices sync from, and receipts.

CREATE TABLE patients (
    id                  BLOB PRIMARY KEY,
    mrn_index           BLOB NOT NULL UNIQUE,     -- HMAC-SHA256 of the MRN (blind index)
    sealed_demographics BLOB NOT NULL,            -- AES-256-GCM under the patient-records key
    user_id             BLOB UNIQUE REFERENCES users (id),
    created_at          INTEGER NOT NULL
) STRICT;

CREATE TABLE care_team (
    patient_id BLOB NOT NULL REFERENCES patients (id),
    user_id    BLOB NOT NULL REFERENCES users (id),
    PRIMARY KEY (patient_id, user_id)
) STRICT;
CREATE INDEX care_team_by_user ON care_team (user_id);

CREATE TABLE conversations (
    id           BLOB PRIMARY KEY,
    kind         TEXT NOT NULL,
    sealed_title BLOB,
    patient_id   BLOB REFERENCES patients (id),
    direct_key   TEXT UNIQUE,
    created_by   BLOB NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    last_seq     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX one_care_team_per_patient ON conversations (patient_id) WHERE kind = 'care_team';

-- One row per stretch of membership: joined at an event, left at a later one (or still in).
CREATE TABLE memberships (
    conversation_id BLOB NOT NULL REFERENCES conversations (id),
    user_id         BLOB NOT NULL REFERENCES users (id),
    joined_event    INTEGER NOT NULL,
    left_event      INTEGER,
    PRIMARY KEY (conversation_id, user_id, joined_event)
) STRICT;
CREATE INDEX memberships_by_user ON memberships (user_id, left_event);

CREATE TABLE messages (
    id              BLOB PRIMARY KEY,
    conversation_id BLOB NOT NULL REFERENCES conversations (id),
    seq             INTEGER NOT NULL,
    sender_id       BLOB NOT NULL REFERENCES users (id),
    client_id       BLOB NOT NULL,
    priority        TEXT NOT NULL,
    epoch           INTEGER NOT NULL,
    sealed_body     BLOB NOT NULL,            -- AES-256-GCM under the conversation's epoch key
    created_at      INTEGER NOT NULL,
    event_seq       INTEGER NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (sender_id, client_id)
) STRICT;

CREATE INDEX messages_by_event ON messages (event_seq);

CREATE TABLE events (
    seq             INTEGER PRIMARY KEY,
    conversation_id BLOB NOT NULL,
    kind            TEXT NOT NULL,
    message_id      BLOB,
    user_id         BLOB,
    at              INTEGER NOT NULL
) STRICT;
CREATE INDEX events_by_conversation ON events (conversation_id, seq);

CREATE TABLE receipts (
    conversation_id BLOB NOT NULL REFERENCES conversations (id),
    user_id         BLOB NOT NULL REFERENCES users (id),
    delivered_seq   INTEGER NOT NULL DEFAULT 0,
    read_seq        INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
) STRICT;

-- How far each device has received the event log.
CREATE TABLE device_cursors (
    session_id BLOB PRIMARY KEY REFERENCES sessions (id),
    cursor     INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
