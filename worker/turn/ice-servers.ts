import type { IceConfig } from "#protocol/ice.ts";
import type { Config } from "../config.ts";
import { forgetTurnCredentials, listTurnCredentials, recordTurnCredential } from "../db/turn-credentials.ts";
import { cloudflareIceServers, revokeCloudflareCredential } from "./cloudflare.ts";
import type { TurnConfig } from "./config.ts";
import { coturnCredentials } from "./coturn.ts";

async function sessionTag(code: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`tether-turn:${code}`));
  return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** ICE servers for one participant of session `code`, with credentials that expire no later than the session. */
export async function mintIceConfig(
  db: D1Database,
  config: Config,
  code: string,
  sessionExpiresAt: number,
  now: number,
): Promise<IceConfig> {
  const turn = config.TURN;
  const expiresAt = Math.min(sessionExpiresAt, now + turn.ttlS * 1000);
  switch (turn.provider) {
    case "none":
      return { iceServers: [], iceTransportPolicy: "all", relay: "none", expiresAt: sessionExpiresAt };
    case "coturn": {
      const server = await coturnCredentials(
        turn.secret,
        turn.urls,
        Math.floor(expiresAt / 1000),
        await sessionTag(code),
      );
      return { iceServers: [server], iceTransportPolicy: turn.icePolicy, relay: "coturn", expiresAt };
    }
    case "cloudflare": {
      const ttlS = Math.max(60, Math.ceil((expiresAt - now) / 1000));
      const iceServers = await cloudflareIceServers(turn, ttlS);
      for (const server of iceServers) {
        if (server.username) await recordTurnCredential(db, code, server.username, now + ttlS * 1000);
      }
      return { iceServers, iceTransportPolicy: turn.icePolicy, relay: "cloudflare", expiresAt: now + ttlS * 1000 };
    }
  }
}

/** Revokes the relay credentials minted for an ended session (Cloudflare's; coturn's simply expire). */
export async function revokeIceCredentials(db: D1Database, turn: TurnConfig, code: string, now: number): Promise<void> {
  if (turn.provider !== "cloudflare") return;
  const usernames = await listTurnCredentials(db, code, now);
  const results = await Promise.all(usernames.map((u) => revokeCloudflareCredential(turn, u).catch(() => false)));
  if (results.every(Boolean)) await forgetTurnCredentials(db, code);
}
