-- Delivery receipts look up, per conversation, the last message in a range of the event log;
-- this index bounds that lookup to the range instead of every message in it.
DROP INDEX messages_by_event;
CREATE INDEX messages_by_conversation_event ON messages (conversation_id, event_seq);
