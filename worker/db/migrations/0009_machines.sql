-- Machines enrolled for unattended access (UNATTENDED_ACCESS = "on"), and the one-time links that enrol them.

-- An admin's enrolment link: only the SHA-256 of its token is kept, and enrolling deletes the row, so that a link
-- enrols one machine at most.
CREATE TABLE machine_enrolments (
  token_hash TEXT PRIMARY KEY,
  created_by TEXT NOT NULL REFERENCES technicians(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE machines (
  -- The SHA-256 of the public key, base64url: no other key can be given this id.
  id TEXT PRIMARY KEY,
  -- The machine's Ed25519 public key, base64url.
  public_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  os TEXT NOT NULL,
  -- The admin who made the link the machine enrolled with; the machine stays when they are removed.
  enrolled_by TEXT REFERENCES technicians(id) ON DELETE SET NULL,
  enrolled_at INTEGER NOT NULL,
  -- Null until the machine's agent first connects.
  last_seen_at INTEGER,
  -- The time the agent put in its last accepted heartbeat (its own clock): a later one must be newer, so that a
  -- heartbeat recorded on the way cannot be played again.
  last_heartbeat_at INTEGER
);
