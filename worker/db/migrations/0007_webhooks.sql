-- Helpdesk integration: webhook endpoints that receive the audit log's session events (Standard Webhooks), each
-- delivered in the log's order, and API tokens with which a helpdesk app creates sessions for a technician.

-- An endpoint reads the audit log from `cursor` (the next entry's seq): deliveries are the log's entries, so they
-- are as durable and as ordered as the log itself.
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  -- JSON array of event types, e.g. ["session.created","session.ended"].
  events TEXT NOT NULL,
  -- The whsec_ secret; shown once when the endpoint is added.
  secret TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_by TEXT,
  created_at INTEGER NOT NULL,
  cursor INTEGER NOT NULL,
  -- Failed attempts at the entry at `cursor`; the next one is due at next_attempt_at.
  failures INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  -- Set when every retry of one message failed: delivery stops until an admin enables the endpoint again.
  disabled_at INTEGER,
  disabled_reason TEXT
);

-- The delivery log the console shows: every attempt, with the receiver's status code or the reason it failed.
CREATE TABLE webhook_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  event TEXT NOT NULL,
  seq INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status INTEGER,
  error TEXT,
  is_manual INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts(endpoint_id, id);

-- A technician's API tokens: only the SHA-256 of each token is kept.
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  technician_id TEXT NOT NULL REFERENCES technicians(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_tokens_by_technician ON api_tokens(technician_id);

-- The helpdesk's own reference for a session (e.g. zendesk:12345), echoed in its events.
ALTER TABLE sessions ADD COLUMN reference TEXT;
