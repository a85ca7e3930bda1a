-- Which technicians may reach which enrolled machine (unattended access): admins reach every machine; any other
-- technician only those an admin assigned to them here. A row goes with its machine or its technician.
CREATE TABLE machine_technicians (
  machine_id TEXT NOT NULL REFERENCES machines(id) ON DELETE CASCADE,
  technician_id TEXT NOT NULL REFERENCES technicians(id) ON DELETE CASCADE,
  -- The admin who assigned it; the assignment stays when they are removed.
  assigned_by TEXT REFERENCES technicians(id) ON DELETE SET NULL,
  assigned_at INTEGER NOT NULL,
  PRIMARY KEY (machine_id, technician_id)
);
-- A technician's machines (their console's list, and the check before they connect).
CREATE INDEX machine_technicians_by_technician ON machine_technicians(technician_id);
