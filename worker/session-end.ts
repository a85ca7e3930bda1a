import { markSessionEnded } from "./db/sessions.ts";
import { parseTurnConfig } from "./turn/config.ts";
import { revokeIceCredentials } from "./turn/ice-servers.ts";

/**
 * What every host does when a room ends: records the end in the sessions table, then lets the session's relay
 * credentials die with it (Cloudflare's are revoked; coturn's carry their own expiry). `vars` are the host's [vars]
 * and secrets. Throws when the end could not be recorded, so that the room's alarm retries.
 */
export async function recordSessionEnd(
  db: D1Database,
  vars: Record<string, unknown>,
  code: string,
  endedAt: number,
): Promise<void> {
  await markSessionEnded(db, code, endedAt);
  const turn = parseTurnConfig(vars);
  if (turn.ok) await revokeIceCredentials(db, turn.turn, code, endedAt);
}
