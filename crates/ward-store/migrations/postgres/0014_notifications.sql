-- Web Push: one subscription per device session (its endpoint and keys sealed, since the
-- endpoint is a capability to put text on a clinician's lock screen), and the notifications
-- owed to subscribed users, written with the message that owes them (so a crash never loses
-- one) and sent by whichever node claims them.
CREATE TABLE push_subscriptions (
    id          UUID PRIMARY KEY,
    session_id  UUID NOT NULL UNIQUE REFERENCES sessions (id),
    user_id     UUID NOT NULL REFERENCES users (id),
    sealed      BYTEA NOT NULL,      -- endpoint and keys, AES-256-GCM under account secrets
    created_at  BIGINT NOT NULL
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);

CREATE TABLE push_outbox (
    user_id         UUID NOT NULL REFERENCES users (id),
    event_seq       BIGINT NOT NULL,
    conversation_id UUID NOT NULL REFERENCES conversations (id),
    message_seq     BIGINT NOT NULL,
    priority        TEXT NOT NULL,      -- normal | urgent | stat
    created_at      BIGINT NOT NULL,
    state           TEXT NOT NULL,      -- pending | sent | suppressed | failed
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, event_seq)
);
CREATE INDEX push_outbox_due ON push_outbox (next_attempt_at) WHERE state = 'pending';

-- Each user's notification preferences (a JSON document of ward_core::notify::NotifyPrefs).
CREATE TABLE notify_prefs (
    user_id UUID PRIMARY KEY REFERENCES users (id),
    prefs   TEXT NOT NULL
);
