-- Sign-ins the server can take back. A sign-in cookie names its row (the JWT's jti); every authenticated request
-- and every room's periodic check looks it up by primary key, so deleting the row ends the sign-in. Sign-out deletes
-- one row; removing a passkey or a technician deletes theirs through the cascades.
CREATE TABLE sign_ins (
  id TEXT PRIMARY KEY,
  technician_id TEXT NOT NULL REFERENCES technicians(id) ON DELETE CASCADE,
  -- The passkey the sign-in was made with; NULL only for a sign-in made without a passkey ceremony.
  passkey_id TEXT REFERENCES passkeys(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sign_ins_by_technician ON sign_ins(technician_id, expires_at);
CREATE INDEX sign_ins_by_passkey ON sign_ins(passkey_id);

-- A name the technician gives each passkey ("Work laptop"), shown in the console.
ALTER TABLE passkeys ADD COLUMN name TEXT;
