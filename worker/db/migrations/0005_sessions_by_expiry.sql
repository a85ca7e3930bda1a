-- Session rows past SESSION_RETENTION_S are deleted oldest first as new sessions are created.
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
