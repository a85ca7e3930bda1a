-- The organisation's audit log (durable-objects/audit-log): one row per entry, appended by a single writer with seq
-- counting from 0 without gaps. `entry` is the entry's canonical JSON, the leaf of the log's Merkle tree and the only
-- column a verifier trusts; the others copy fields of it for the console's filters. Every append also signs a
-- checkpoint (a C2SP signed note) of the new tree, written in the same batch: it replaces the one row of
-- audit_head, and at least once a minute while the log grows, and at every session's end, it is kept in
-- audit_checkpoints too.
CREATE TABLE audit_entries (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  actor TEXT NOT NULL,
  session TEXT,
  type TEXT NOT NULL,
  -- The technician acted on, when the entry names one.
  technician TEXT,
  entry TEXT NOT NULL
);
CREATE INDEX audit_entries_by_session ON audit_entries(session, seq);
CREATE INDEX audit_entries_by_actor ON audit_entries(actor, seq);
CREATE INDEX audit_entries_by_technician ON audit_entries(technician, seq);
CREATE INDEX audit_entries_by_type ON audit_entries(type, seq);
CREATE INDEX audit_entries_by_time ON audit_entries(time);

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  size INTEGER NOT NULL,
  note TEXT NOT NULL,
  -- The writer's state at this size, so that it starts without reading the log: the tree's perfect subtrees
  -- (JSON [[size, base64 hash], ...], left to right) and the leaf hash of the last entry (hex).
  frontier TEXT NOT NULL,
  last_hash TEXT NOT NULL
);

CREATE TABLE audit_checkpoints (
  size INTEGER PRIMARY KEY,
  note TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Append-only, as far as the application goes: an UPDATE or DELETE fails. Someone with raw access to the database
-- can drop these; the hash chain, the Merkle tree and the signed checkpoints are what catch them.
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
