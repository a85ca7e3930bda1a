-- Whether a machine's last heartbeat said it is busy: in a session whose technician is connected to it. The console
-- shows it, and a technician who opens a session with a busy machine is told that theirs waits for that one.
ALTER TABLE machines ADD COLUMN is_busy INTEGER NOT NULL DEFAULT 0;
