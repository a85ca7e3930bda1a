import { abandonedUploads, expiredRecordings, nextRecordingDue } from "../db/recordings.ts";
import { log } from "../log.ts";
import { deleteRecording, finishRecording, type RecordingDeps } from "./finish.ts";

/** Most recordings one sweep handles of each kind; the next alarm follows at once when more wait. */
const PER_SWEEP = 20;

/** How long after a recording the sweep could not finish or delete (its store or D1 failed) it is tried again. */
export const SWEEP_RETRY_MS = 60_000;

/**
 * How long after its session ended an upload is finished from its parts: time for the technician's page, which
 * stops recording at the end, to send its last part itself.
 */
export const SESSION_END_GRACE_MS = 15_000;

/**
 * Finishes uploads silent for `abandonMs` or whose session ended SESSION_END_GRACE_MS ago (from the parts they sent: a
 * closed tab leaves a playable recording of what it uploaded; one with no part is dropped), and deletes recordings
 * past their retention. Returns when the next sweep is due, or null when nothing waits. A recording that fails (its
 * store or D1 did) stays as it was, with its audit entry not yet written, and does not hold up the others: it is
 * tried again SWEEP_RETRY_MS later. Run by the RecordingSweeper object's alarm on Workers and a timer on Deno.
 */
export async function sweepRecordings(deps: RecordingDeps, now: number, abandonMs: number): Promise<number | null> {
  let failures = 0;
  const attempt = async (id: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      failures++;
      log({ event: "recording_sweep_failed", recording: id, message: String(err).slice(0, 200) });
    }
  };
  for (const row of await abandonedUploads(deps.db, now - abandonMs, now - SESSION_END_GRACE_MS, PER_SWEEP)) {
    await attempt(row.id, () => finishRecording(deps, row, now, "system", "abandoned"));
  }
  for (const row of await expiredRecordings(deps.db, now, PER_SWEEP)) {
    await attempt(row.id, () => deleteRecording(deps, row, "system", "retention"));
  }
  if (failures > 0) return now + SWEEP_RETRY_MS;
  const next = await nextRecordingDue(deps.db, abandonMs, SESSION_END_GRACE_MS);
  return next === null ? null : Math.max(next, now + 1);
}
