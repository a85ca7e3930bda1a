import { markSessionEnded } from "./db/sessions.ts";
import { SESSION_END_GRACE_MS } from "./recordings/sweep.ts";
import { parseTurnConfig } from "./turn/config.ts";
import { revokeIceCredentials } from "./turn/ice-servers.ts";

/**
 * What every host does when a room ends: records the end in the sessions table, then lets the session's relay
 * credentials die with it (Cloudflare's are revoked; coturn's carry their own expiry), and has the recordings sweep
 * finish the session's recording uploads shortly after (`sweepRecordingsBy`: the host's). `vars` are the host's
 * [vars] and secrets. Throws when the end could not be recorded, so that the room's alarm retries.
 */
export async function recordSessionEnd(
  db: D1Database,
  vars: Record<string, unknown>,
  code: string,
  endedAt: number,
  sweepRecordingsBy: (at: number) => Promise<void>,
): Promise<void> {
  await markSessionEnded(db, code, endedAt);
  const uploading = await db
    .prepare("SELECT 1 AS one FROM recordings WHERE session_code = ? AND state = 'uploading' LIMIT 1")
    .bind(code)
    .first();
  if (uploading) await sweepRecordingsBy(endedAt + SESSION_END_GRACE_MS);
  const turn = parseTurnConfig(vars);
  if (turn.ok) await revokeIceCredentials(db, turn.turn, code, endedAt);
}
