-- An admin may lock a technician's display name (the name customers read before Allow): while it is locked only an
-- admin can change it.
ALTER TABLE technicians ADD COLUMN name_locked INTEGER NOT NULL DEFAULT 0;
