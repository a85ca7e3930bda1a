-- Session recordings: the bytes live in the recordings store (R2 on Workers, files on the Deno host); these rows say
-- whose they are, how far their upload got and when they are deleted.
CREATE TABLE recordings (
  id TEXT PRIMARY KEY,
  session_code TEXT NOT NULL,
  technician_id TEXT NOT NULL,
  -- The store's multipart upload while parts arrive; null once the recording is complete.
  upload_id TEXT,
  state TEXT NOT NULL CHECK (state IN ('uploading', 'complete')),
  parts INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT,
  created_at INTEGER NOT NULL,
  -- The last part's arrival: an upload silent for RECORDING_ABANDON_S is finished from the parts it sent.
  updated_at INTEGER NOT NULL,
  ended_at INTEGER,
  delete_at INTEGER
);
CREATE INDEX recordings_by_session ON recordings(session_code, created_at);
CREATE INDEX recordings_uploading ON recordings(state, updated_at);
CREATE INDEX recordings_by_deletion ON recordings(delete_at);

-- Each uploaded part's tag from the store, which completing the upload names.
CREATE TABLE recording_parts (
  recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  part INTEGER NOT NULL,
  etag TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (recording_id, part)
);
