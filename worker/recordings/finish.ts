import type { AuditInput } from "#protocol/audit.ts";
import { deleteRecordingRow, listParts, markComplete, type RecordingRow, recordingKey } from "../db/recordings.ts";
import type { RecordingStore } from "./store.ts";

const DAY_MS = 86_400_000;

/** What finishing or deleting a recording needs. */
export type RecordingDeps = {
  db: D1Database;
  store: RecordingStore;
  audit: (input: AuditInput) => Promise<number>;
  retentionDays: number;
};

/**
 * Puts an upload's parts together (its size and SHA-256 go to the audit log), or drops it when no part arrived.
 * `actor` and `reason` say who stopped it: the technician's page, the customer, or the server for an abandoned one.
 */
export async function finishRecording(
  deps: RecordingDeps,
  row: RecordingRow,
  now: number,
  actor: AuditInput["actor"],
  reason: "stopped" | "abandoned",
): Promise<{ size: number; sha256: string } | null> {
  if (row.state !== "uploading" || row.upload_id === null) return null;
  const key = recordingKey(row);
  const parts = await listParts(deps.db, row.id);
  if (parts.length === 0) {
    await deps.store.abort(key, row.upload_id);
    await deleteRecordingRow(deps.db, row.id);
    await deps.audit({
      actor,
      session: row.session_code,
      type: "recording_stopped",
      data: { recording: row.id, reason, parts: 0, size: 0, sha256: null },
    });
    return null;
  }
  const done = await deps.store.complete(key, row.upload_id, parts);
  const isMarked = await markComplete(deps.db, row.id, {
    ...done,
    endedAt: now,
    deleteAt: now + deps.retentionDays * DAY_MS,
  });
  if (!isMarked) return null;
  await deps.audit({
    actor,
    session: row.session_code,
    type: "recording_stopped",
    data: { recording: row.id, reason, parts: parts.length, size: done.size, sha256: done.sha256 },
  });
  return done;
}

/** Deletes a recording's bytes and row, and says so in the audit log. */
export async function deleteRecording(
  deps: RecordingDeps,
  row: RecordingRow,
  actor: AuditInput["actor"],
  reason: "deleted" | "retention",
): Promise<void> {
  const key = recordingKey(row);
  if (row.state === "uploading" && row.upload_id !== null) await deps.store.abort(key, row.upload_id);
  else await deps.store.delete(key);
  await deleteRecordingRow(deps.db, row.id);
  await deps.audit({
    actor,
    session: row.session_code,
    type: "recording_deleted",
    data: { recording: row.id, reason, sha256: row.sha256 },
  });
}
