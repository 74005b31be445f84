-- The channel directory lists conversations by kind.
CREATE INDEX conversations_by_kind ON conversations (kind);
