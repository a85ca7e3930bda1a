-- Sessions a technician opened with an enrolled machine (unattended access): the machine's agent learns of them in
-- its heartbeat's answer, with the key of the customer seat the room was created for. A row goes with its session
-- (purged after SESSION_RETENTION_S) or its machine (removed).
CREATE TABLE machine_sessions (
  code TEXT PRIMARY KEY REFERENCES sessions(code) ON DELETE CASCADE,
  machine_id TEXT NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
  -- The customer seat's key (base64url, 32 bytes): the room keeps only its hash, and only this machine is told it.
  seat_key TEXT NOT NULL
);
CREATE INDEX machine_sessions_by_machine ON machine_sessions(machine_id);
