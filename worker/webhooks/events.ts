import { AuditEntry } from "#protocol/audit.ts";
import type { WebhookEventType, WebhookPayload } from "#protocol/webhooks.ts";
import { sessionEntry } from "../db/webhooks.ts";

// Which audit entries are webhook events, and what each says. The audit log is the one record of what happened, in
// order; a webhook is a thin view of some of its entries: the session's code and the helpdesk's reference (from the
// session's creation entry), and the outcome. A message's id is its entry's seq, so a redelivery is recognisably
// the same message.

/** The audit entry types that become events, and the event each becomes. */
const EVENT_OF = {
  session_created: "session.created",
  handshake_succeeded: "session.started",
  handshake_failed: "session.verification_failed",
  verification_mismatch: "session.verification_failed",
  session_ended: "session.ended",
  recording_stopped: "recording.available",
} as const satisfies Partial<Record<AuditEntry["type"], WebhookEventType>>;

/** The event an entry of this type becomes, if any. */
export function eventTypeOf(type: AuditEntry["type"]): WebhookEventType | null {
  return (EVENT_OF as Partial<Record<AuditEntry["type"], WebhookEventType>>)[type] ?? null;
}

/** A message's id (webhook-id): `msg_` and the seq of the entry it reports. */
export function messageIdOf(seq: number): string {
  return `msg_${seq}`;
}

/** The seq a message id names, or null. */
export function seqOfMessageId(id: string): number | null {
  const match = /^msg_([0-9]{1,15})$/.exec(id);
  return match ? Number(match[1]) : null;
}

/** A stored entry line, parsed; null when it is not an entry (the verifier, not delivery, reports damage). */
export function parseEntry(line: string): AuditEntry | null {
  try {
    const parsed = AuditEntry.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** What a session's creation entry tells its later events. */
type SessionFacts = { createdAt: number; isHelpRequest: boolean; reference: string | null };

async function factsOf(db: D1Database, session: string, beforeSeq: number): Promise<SessionFacts | null> {
  const created = await sessionEntry(db, session, "session_created", beforeSeq);
  const entry = created ? parseEntry(created.entry) : null;
  if (!entry) return null;
  const { reference, isHelpRequest } = entry.data;
  return {
    createdAt: entry.time,
    isHelpRequest: isHelpRequest === true,
    reference: typeof reference === "string" ? reference : null,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The payload of the event that `entry` becomes, or null when it becomes none. */
export async function payloadOf(db: D1Database, entry: AuditEntry): Promise<WebhookPayload | null> {
  const type = eventTypeOf(entry.type);
  if (!type || entry.session === null) return null;
  const session = entry.session;
  const timestamp = iso(entry.time);
  const facts = entry.type === "session_created" ? null : await factsOf(db, session, entry.seq);
  const reference = entry.type === "session_created" ? stringOr(entry.data.reference) : (facts?.reference ?? null);
  const verifiedBy = facts ? (facts.isHelpRequest ? "password" : "link") : null;
  switch (type) {
    case "session.created":
      return {
        type,
        timestamp,
        data: {
          session,
          reference,
          isHelpRequest: entry.data.isHelpRequest === true,
          expiresAt: iso(Number(entry.data.expiresAt ?? entry.time)),
        },
      };
    case "session.started":
      return { type, timestamp, data: { session, reference, technician: stringOr(entry.data.technician), verifiedBy } };
    case "session.verification_failed":
      return {
        type,
        timestamp,
        data: { session, reference, reason: entry.type === "handshake_failed" ? "handshake_failed" : "code_mismatch" },
      };
    case "session.ended": {
      const verified = await sessionEntry(db, session, "handshake_succeeded", entry.seq);
      return {
        type,
        timestamp,
        data: {
          session,
          reference,
          reason: stringOr(entry.data.reason) ?? "unknown",
          durationS: facts ? Math.round((entry.time - facts.createdAt) / 1000) : null,
          verifiedBy: verified ? verifiedBy : null,
          isRecorded: (await sessionEntry(db, session, "recording_started", entry.seq)) !== null,
        },
      };
    }
    case "recording.available": {
      // An upload dropped with no part left nothing to fetch.
      const { recording, size, sha256, reason } = entry.data;
      if (typeof recording !== "string" || typeof sha256 !== "string" || typeof size !== "number" || size === 0) {
        return null;
      }
      return {
        type,
        timestamp,
        data: { session, reference, recording, size, sha256, reason: stringOr(reason) ?? "stopped" },
      };
    }
    default:
      return null;
  }
}

function stringOr(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
