import * as z from "zod/mini";
import { SessionCode } from "./room.ts";

// Helpdesk webhooks as the console and a helpdesk's receiver see them. Deliveries follow the Standard Webhooks
// specification (webhook-id, webhook-timestamp, webhook-signature "v1,<HMAC-SHA256>", whsec_ secrets), with thin
// payloads: the session's code, the helpdesk's own reference and what happened, never a person's words or a secret.

/** The events an endpoint can receive. */
export const WebhookEventType = /* @__PURE__ */ (() =>
  z.enum([
    "session.created",
    "session.started",
    "session.ended",
    "session.verification_failed",
    "recording.available",
  ]))();
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/**
 * A helpdesk's own reference for a session, e.g. `zendesk:12345`: echoed in the session's events and shown in the
 * console, never to the customer.
 */
export const ExternalReference = /* @__PURE__ */ (() =>
  z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,99}$/)))();

/** Largest body of the webhook routes: a URL, a short description and a list of events. */
export const MAX_WEBHOOK_BODY_BYTES = 4096;

/** POST /api/webhooks: an admin adds an endpoint. */
export const CreateWebhookBody = /* @__PURE__ */ (() =>
  z.strictObject({
    url: z.string().check(z.maxLength(2048)),
    events: z.array(WebhookEventType).check(z.minLength(1), z.maxLength(WebhookEventType.options.length)),
    description: z.optional(z.string().check(z.maxLength(200))),
  }))();
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

/** The `:id` of /api/webhooks/:id. */
export const WebhookIdParam = /* @__PURE__ */ (() =>
  z.object({ id: z.string().check(z.regex(/^ep_[A-Za-z0-9_-]{22}$/)) }))();

/** POST /api/webhooks/:id/redeliver: send one earlier message again, now. */
export const RedeliverBody = /* @__PURE__ */ (() =>
  z.strictObject({ messageId: z.string().check(z.regex(/^msg_[0-9]{1,15}$/)) }))();

/** An endpoint as the console lists it (its secret only once, in the answer that created it). */
export type WebhookEndpoint = {
  id: string;
  url: string;
  events: WebhookEventType[];
  description: string;
  createdAt: number;
  /** Failed attempts at the message now due; the next attempt is at `nextAttemptAt`. */
  failures: number;
  nextAttemptAt: number | null;
  /** Set when delivery stopped: every retry of one message failed. */
  disabledAt: number | null;
  disabledReason: string | null;
};

/** 201 from POST /api/webhooks: the endpoint and its signing secret, shown this once. */
export type CreatedWebhook = { endpoint: WebhookEndpoint; secret: string };

export type WebhookList = { endpoints: WebhookEndpoint[] };

/** One attempt in an endpoint's delivery log. */
export type WebhookAttempt = {
  messageId: string;
  event: WebhookEventType;
  attempt: number;
  at: number;
  /** The receiver's HTTP status, or null when no answer came (then `error` says why). */
  status: number | null;
  error: string | null;
  isManual: boolean;
};

export type WebhookAttempts = { attempts: WebhookAttempt[] };

/** How the technician proved the session's secret to the customer's page. */
export const VerifiedBy = /* @__PURE__ */ (() => z.enum(["link", "password"]))();

/** The `data` of every event: which session, and the helpdesk's reference when it gave one. */
const SessionData = /* @__PURE__ */ (() =>
  z.object({ session: SessionCode, reference: z.nullable(ExternalReference) }))();

/** A delivery's body, as a receiver parses it (Standard Webhooks' type/timestamp/data). */
export const WebhookPayload = /* @__PURE__ */ (() =>
  z.discriminatedUnion("type", [
    z.object({
      type: z.literal("session.created"),
      timestamp: z.string(),
      data: z.extend(SessionData, { isHelpRequest: z.boolean(), expiresAt: z.string() }),
    }),
    z.object({
      type: z.literal("session.started"),
      timestamp: z.string(),
      data: z.extend(SessionData, { technician: z.nullable(z.string()), verifiedBy: z.nullable(VerifiedBy) }),
    }),
    z.object({
      type: z.literal("session.verification_failed"),
      timestamp: z.string(),
      data: z.extend(SessionData, { reason: z.string() }),
    }),
    z.object({
      type: z.literal("session.ended"),
      timestamp: z.string(),
      data: z.extend(SessionData, {
        reason: z.string(),
        durationS: z.nullable(z.number()),
        verifiedBy: z.nullable(VerifiedBy),
        isRecorded: z.boolean(),
      }),
    }),
    z.object({
      type: z.literal("recording.available"),
      timestamp: z.string(),
      data: z.extend(SessionData, {
        recording: z.string(),
        size: z.number(),
        sha256: z.string(),
        /** "stopped" by the technician's page, or "abandoned": finished from the parts a closed tab had sent. */
        reason: z.string(),
      }),
    }),
  ]))();
export type WebhookPayload = z.infer<typeof WebhookPayload>;
