-- Technicians, their passkeys, invites (including the first admin's enrolment), pending WebAuthn
-- challenges, and the sessions each technician owns.
CREATE TABLE technicians (
  id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0,
  webauthn_user_id TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE passkeys (
  id TEXT PRIMARY KEY,
  technician_id TEXT NOT NULL REFERENCES technicians(id) ON DELETE CASCADE,
  public_key BLOB NOT NULL,
  counter INTEGER NOT NULL,
  transports TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX passkeys_by_technician ON passkeys(technician_id);

CREATE TABLE invites (
  token_hash TEXT PRIMARY KEY,
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_by TEXT REFERENCES technicians(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  -- The technician this invite enrolled; set in the same batch that creates them.
  used_by TEXT REFERENCES technicians(id) ON DELETE SET NULL
);

CREATE TABLE challenges (
  challenge TEXT PRIMARY KEY,
  purpose TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  expires_at INTEGER NOT NULL
);
CREATE INDEX challenges_by_expiry ON challenges(expires_at);

CREATE TABLE sessions (
  code TEXT PRIMARY KEY,
  -- NULL for a customer's help request until a technician joins it.
  technician_id TEXT REFERENCES technicians(id) ON DELETE CASCADE,
  case_number TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX sessions_live_by_technician ON sessions(technician_id, expires_at);
