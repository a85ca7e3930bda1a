import { AuditEntry } from "#protocol/audit.ts";
import type { WebhookEventType, WebhookPayload } from "#protocol/webhooks.ts";
/** The event an entry of this type becomes, if any. */
export declare function eventTypeOf(type: AuditEntry["type"]): WebhookEventType | null;
/** A message's id (webhook-id): `msg_` and the seq of the entry it reports. */
export declare function messageIdOf(seq: number): string;
/** The seq a message id names, or null. */
export declare function seqOfMessageId(id: string): number | null;
/** A stored entry line, parsed; null when it is not an entry (the verifier, not delivery, reports damage). */
export declare function parseEntry(line: string): AuditEntry | null;
/** The payload of the event that `entry` becomes, or null when it becomes none. */
export declare function payloadOf(db: D1Database, entry: AuditEntry): Promise<WebhookPayload | null>;
