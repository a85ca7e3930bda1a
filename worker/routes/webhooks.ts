import { Hono } from "hono";
import {
  type CreatedWebhook,
  CreateWebhookBody,
  MAX_WEBHOOK_BODY_BYTES,
  RedeliverBody,
  type WebhookAttempts,
  WebhookIdParam,
  type WebhookList,
} from "#protocol/webhooks.ts";
import { newToken } from "../auth/tokens.ts";
import {
  deleteEndpoint,
  enableEndpoint,
  endpointInfo,
  findEndpoint,
  insertEndpoint,
  listAttempts,
  listEndpoints,
} from "../db/webhooks.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { audit } from "../middleware/audit.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { validate } from "../middleware/validate.ts";
import type { AppEnv } from "../types.ts";
import { targetProblem } from "../webhooks/targets.ts";

/** Attempts one page of an endpoint's delivery log shows. */
const ATTEMPTS_SHOWN = 100;

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

const NO_ENDPOINT = "There is no webhook endpoint with this id.";

/** The admin's helpdesk webhooks (/api/webhooks): endpoints, their delivery logs, enabling and redelivery. */
export const webhooks = new Hono<AppEnv>()
  .get("/", requireAdmin, async (c) => {
    const endpoints = await listEndpoints(c.env.DB);
    return c.json<WebhookList>({ endpoints: endpoints.map(endpointInfo) });
  })
  .post("/", requireAdmin, jsonBody(MAX_WEBHOOK_BODY_BYTES), validate("json", CreateWebhookBody), async (c) => {
    const { url, events, description = "" } = c.req.valid("json");
    const problem = targetProblem(url, c.get("config").WEBHOOKS.allowPrivate);
    if (problem) throw new AppError("WEBHOOK_TARGET_NOT_ALLOWED", 400, problem);
    const by = c.get("technician").id;
    const secret = newSecret();
    const row = await insertEndpoint(c.env.DB, {
      id: `ep_${newToken(16)}`,
      url,
      events: [...new Set(events)],
      secret,
      description: description.trim(),
      createdBy: by,
      createdAt: Date.now(),
    });
    log({ event: "webhook_endpoint_added", endpointId: row.id, by });
    // The URL stays out of the audit log: it may carry a receiver's own token.
    await audit(c, "webhook_added", { endpoint: row.id });
    await c.get("host").webhooks.wake();
    return c.json<CreatedWebhook>({ endpoint: endpointInfo(row), secret }, 201);
  })
  .delete("/:id", requireAdmin, validate("param", WebhookIdParam), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteEndpoint(c.env.DB, id))) throw new AppError("NOT_FOUND", 404, NO_ENDPOINT);
    log({ event: "webhook_endpoint_removed", endpointId: id, by: c.get("technician").id });
    await audit(c, "webhook_removed", { endpoint: id });
    return c.body(null, 204);
  })
  .post("/:id/enable", requireAdmin, validate("param", WebhookIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const row = await enableEndpoint(c.env.DB, id);
    if (!row) throw new AppError("NOT_FOUND", 404, NO_ENDPOINT);
    log({ event: "webhook_endpoint_enabled", endpointId: id, by: c.get("technician").id });
    await c.get("host").webhooks.wake();
    return c.json({ endpoint: endpointInfo(row) });
  })
  .get("/:id/attempts", requireAdmin, validate("param", WebhookIdParam), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await findEndpoint(c.env.DB, id))) throw new AppError("NOT_FOUND", 404, NO_ENDPOINT);
    return c.json<WebhookAttempts>({ attempts: await listAttempts(c.env.DB, id, ATTEMPTS_SHOWN) });
  })
  .post(
    "/:id/redeliver",
    requireAdmin,
    validate("param", WebhookIdParam),
    jsonBody(MAX_WEBHOOK_BODY_BYTES),
    validate("json", RedeliverBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const outcome = await c.get("host").webhooks.redeliver(id, c.req.valid("json").messageId);
      if (outcome === "not_found") {
        throw new AppError("NOT_FOUND", 404, "This endpoint has not been sent a message with this id.");
      }
      return c.json({ isDelivered: outcome === "sent" });
    },
  );
