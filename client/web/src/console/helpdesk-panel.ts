import * as z from "zod/mini";
import { TokenScope } from "#protocol/tokens.ts";
import { WebhookEventType } from "#protocol/webhooks.ts";
import { formatTime } from "../i18n/format.ts";
import { technicianText } from "../i18n/page.ts";
import { AnyBody, callApi } from "../lib/api.ts";
import { actionButton, announce, byId, whileBusy } from "../lib/dom.ts";
import { technicianErrorText } from "../lib/errors.ts";

// The console's helpdesk panels: a technician's API tokens (a helpdesk app starts sessions with one), and for admins
// the webhook endpoints that hear about sessions, each with its delivery log, Send again, Enable and Remove. Secrets
// (a new token, an endpoint's signing secret) are shown once, in a read-only field with Copy.

const T = () => technicianText().helpdesk;

// What this page reads of the answers: parsed, with caps, like every answer from the network.
const Id = z.string().check(z.maxLength(64));
const ApiTokenInfo = z.object({
  id: Id,
  name: z.string().check(z.maxLength(60)),
  scopes: z.array(TokenScope).check(z.maxLength(10)),
  createdAt: z.int(),
  lastUsedAt: z.nullable(z.int()),
});
const TokenList = z.object({ tokens: z.array(ApiTokenInfo).check(z.maxLength(100)) });
const CreatedToken = z.object({ token: z.string().check(z.maxLength(100)), apiToken: ApiTokenInfo });
const Endpoint = z.object({
  id: Id,
  url: z.string().check(z.maxLength(2048)),
  events: z.array(WebhookEventType).check(z.maxLength(10)),
  description: z.string().check(z.maxLength(200)),
  failures: z.int(),
  nextAttemptAt: z.nullable(z.int()),
  disabledAt: z.nullable(z.int()),
});
type Endpoint = z.infer<typeof Endpoint>;
const WebhookList = z.object({ endpoints: z.array(Endpoint).check(z.maxLength(1000)) });
const CreatedWebhook = z.object({ endpoint: Endpoint, secret: z.string().check(z.maxLength(100)) });
const Attempts = z.object({
  attempts: z
    .array(
      z.object({
        messageId: z.string().check(z.maxLength(32)),
        event: WebhookEventType,
        attempt: z.int(),
        at: z.int(),
        status: z.nullable(z.int()),
        isManual: z.boolean(),
      }),
    )
    .check(z.maxLength(500)),
});
const Redelivered = z.object({ isDelivered: z.boolean() });

const tokenList = byId("tokens", HTMLUListElement);
const noTokens = byId("no-tokens");
const createTokenButton = byId("create-token", HTMLButtonElement);
const webhookSection = byId("webhooks");
const webhookForm = byId("webhook-form", HTMLFormElement);
const webhookUrl = byId("webhook-url", HTMLInputElement);
const webhookDescription = byId("webhook-description", HTMLInputElement);
const webhookEvents = byId("webhook-events", HTMLFieldSetElement);
const webhookAdd = byId("webhook-add", HTMLButtonElement);
const endpointList = byId("webhook-endpoints", HTMLUListElement);
const noWebhooks = byId("no-webhooks");

const button = (text: string, label: string, action: () => Promise<void>) =>
  actionButton(text, label, action, "secondary");

function line(text: string): HTMLSpanElement {
  const span = document.createElement("span");
  span.textContent = text;
  return span;
}

/** Shows a secret once, in its read-only field, and moves the focus there so it can be copied at once. */
function reveal(resultId: string, inputId: string, secret: string): void {
  const input = byId(inputId, HTMLInputElement);
  input.value = secret;
  byId(resultId).hidden = false;
  input.focus();
  input.select();
}

export async function loadTokens(): Promise<void> {
  const list = await callApi("GET", "/api/tokens", TokenList);
  if (!list.ok) return announce(() => technicianErrorText(list), true);
  tokenList.replaceChildren(
    ...list.data.tokens.map((token) => {
      const item = document.createElement("li");
      const used = token.lastUsedAt === null ? null : formatTime(token.lastUsedAt);
      item.append(
        line(T().tokenLine(token.name, formatTime(token.createdAt), used)),
        button(T().revoke, T().revokeLabel(token.name), () => revokeToken(token.id)),
      );
      return item;
    }),
  );
  noTokens.hidden = list.data.tokens.length > 0;
}

async function createToken(): Promise<void> {
  const name = prompt(T().tokenNamePrompt)?.trim();
  if (name === undefined || name === "") return;
  if (name.length > 60) return announce(() => T().badTokenName, true);
  const created = await callApi("POST", "/api/tokens", CreatedToken, { name, scopes: ["sessions:create"] });
  if (!created.ok) return announce(() => technicianErrorText(created), true);
  reveal("token-result", "token-value", created.data.token);
  announce(() => T().tokenCreated);
  await loadTokens();
}

async function revokeToken(id: string): Promise<void> {
  const done = await callApi("DELETE", `/api/tokens/${encodeURIComponent(id)}`, AnyBody);
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  announce(() => T().tokenRevoked);
  await loadTokens();
}

/** One checkbox per event, all ticked: a new endpoint hears everything unless the admin says otherwise. */
function drawEventChoices(): void {
  const ticked = new Set(
    [...webhookEvents.querySelectorAll<HTMLInputElement>("input:checked")].map((input) => input.value),
  );
  const isFirst = webhookEvents.querySelectorAll("input").length === 0;
  for (const label of webhookEvents.querySelectorAll("label")) label.remove();
  for (const event of WebhookEventType.options) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "events";
    box.value = event;
    box.checked = isFirst || ticked.has(event);
    label.append(box, ` ${T().eventName[event]}`);
    webhookEvents.append(label);
  }
}

function stateText(endpoint: Endpoint): string {
  if (endpoint.disabledAt !== null) return T().stopped(formatTime(endpoint.disabledAt));
  if (endpoint.nextAttemptAt !== null) return T().retrying(endpoint.failures, formatTime(endpoint.nextAttemptAt));
  return T().delivering;
}

export async function loadWebhooks(): Promise<void> {
  const list = await callApi("GET", "/api/webhooks", WebhookList);
  if (!list.ok) return announce(() => technicianErrorText(list), true);
  endpointList.replaceChildren(
    ...list.data.endpoints.map((endpoint) => {
      const item = document.createElement("li");
      const events = endpoint.events.map((e) => T().eventName[e]).join(", ");
      const log = document.createElement("ol");
      log.hidden = true;
      log.id = `webhook-log-${endpoint.id}`;
      log.setAttribute("aria-label", T().logLabel(endpoint.url));
      // A disclosure: a screen reader hears whether the log is open.
      const logButton = button(T().log, T().logLabel(endpoint.url), () => toggleLog(endpoint, log, logButton));
      logButton.setAttribute("aria-expanded", "false");
      logButton.setAttribute("aria-controls", log.id);
      const buttons = [
        logButton,
        ...(endpoint.disabledAt !== null
          ? [button(T().enable, T().enableLabel(endpoint.url), () => enableEndpoint(endpoint))]
          : []),
        button(T().remove, T().removeLabel(endpoint.url), () => removeEndpoint(endpoint)),
      ];
      item.append(line(T().endpointLine(endpoint.url, endpoint.description, events, stateText(endpoint))), ...buttons);
      item.append(log);
      return item;
    }),
  );
  noWebhooks.hidden = list.data.endpoints.length > 0;
}

async function toggleLog(endpoint: Endpoint, log: HTMLOListElement, toggle: HTMLButtonElement): Promise<void> {
  if (!log.hidden) {
    log.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    return;
  }
  const attempts = await callApi("GET", `/api/webhooks/${encodeURIComponent(endpoint.id)}/attempts`, Attempts);
  if (!attempts.ok) return announce(() => technicianErrorText(attempts), true);
  const items = attempts.data.attempts.map((a) => {
    const item = document.createElement("li");
    const text = T().attemptLine(
      a.messageId,
      T().eventName[a.event],
      a.attempt,
      formatTime(a.at),
      a.status,
      a.isManual,
    );
    item.append(
      line(text),
      button(T().redeliver, T().redeliverLabel(a.messageId), () => redeliver(endpoint, a.messageId, log, toggle)),
    );
    return item;
  });
  log.replaceChildren(
    ...(items.length > 0 ? items : [Object.assign(document.createElement("li"), { textContent: T().noAttempts })]),
  );
  log.hidden = false;
  toggle.setAttribute("aria-expanded", "true");
}

async function redeliver(
  endpoint: Endpoint,
  messageId: string,
  log: HTMLOListElement,
  toggle: HTMLButtonElement,
): Promise<void> {
  const path = `/api/webhooks/${encodeURIComponent(endpoint.id)}/redeliver`;
  const done = await callApi("POST", path, Redelivered, { messageId });
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  const isDelivered = done.data.isDelivered;
  announce(() => T().redelivered(isDelivered), !isDelivered);
  log.hidden = true;
  await toggleLog(endpoint, log, toggle);
}

async function enableEndpoint(endpoint: Endpoint): Promise<void> {
  const done = await callApi("POST", `/api/webhooks/${encodeURIComponent(endpoint.id)}/enable`, AnyBody, {});
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  announce(() => T().enabled);
  await loadWebhooks();
}

async function removeEndpoint(endpoint: Endpoint): Promise<void> {
  if (!confirm(T().confirmRemove(endpoint.url))) return;
  const done = await callApi("DELETE", `/api/webhooks/${encodeURIComponent(endpoint.id)}`, AnyBody);
  if (!done.ok) return announce(() => technicianErrorText(done), true);
  announce(() => T().removed);
  await loadWebhooks();
}

async function addEndpoint(): Promise<void> {
  const events = [...webhookEvents.querySelectorAll<HTMLInputElement>("input:checked")].map((input) => input.value);
  if (events.length === 0) return announce(() => T().needEvents, true);
  const description = webhookDescription.value.trim();
  const body = { url: webhookUrl.value.trim(), events, ...(description ? { description } : {}) };
  const created = await callApi("POST", "/api/webhooks", CreatedWebhook, body);
  if (!created.ok) return announce(() => technicianErrorText(created), true);
  reveal("webhook-result", "webhook-secret", created.data.secret);
  announce(() => T().added);
  webhookForm.reset();
  drawEventChoices();
  await loadWebhooks();
}

createTokenButton.addEventListener("click", () => void whileBusy(createTokenButton, createToken));
webhookForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void whileBusy(webhookAdd, addEndpoint);
});

/** Shows the webhooks panel to an admin and fills it. */
export async function loadWebhookPanel(): Promise<void> {
  webhookSection.hidden = false;
  drawEventChoices();
  await loadWebhooks();
}
