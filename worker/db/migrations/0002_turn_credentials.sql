-- Relay credentials minted by Cloudflare's TURN API per session, revoked when the session ends.
CREATE TABLE turn_credentials (
  username TEXT PRIMARY KEY,
  code TEXT NOT NULL REFERENCES sessions(code) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
);
CREATE INDEX turn_credentials_by_code ON turn_credentials(code);
