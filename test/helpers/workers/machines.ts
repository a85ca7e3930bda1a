import { createExecutionContext, SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ed25519 } from "@noble/curves/ed25519.js";
import { expect } from "vitest";
import type { AuditEntriesPage, AuditEntry, AuditType } from "#protocol/audit.ts";
import type { ErrorBody } from "#protocol/errors.ts";
import { HeartbeatResponse, heartbeatMessage } from "#protocol/machines.ts";
import { createApp } from "../../../worker/app.ts";
import { base64url } from "../../../worker/auth/tokens.ts";
import { workersHost } from "../../../worker/workers-host.ts";
import { createTechnician } from "./technician.ts";
import { ORIGIN, randomIp } from "./ws.ts";

// What the integration tests of unattended access share: the app called with UNATTENDED_ACCESS on (wrangler.toml
// leaves it off, which the Worker as deployed, SELF, shows), signed-in technicians, machines put straight into D1 as
// their enrolment would store them, and the audit entries that name a machine.

const app = createApp(workersHost);
const switchedOn = { ...env, UNATTENDED_ACCESS: "on" };

export type Answer<T> = { status: number; body: T };
export type Person = { id: string; cookie: string };

/**
 * Calls the API as a page on the site's origin (or the agent, which sends the same Origin), with the switch on unless
 * `isOn` is false; `rawBody` is sent as it is, for a body that is not JSON.
 */
export async function call<T = ErrorBody>(
  path: string,
  options: { method?: string; body?: unknown; rawBody?: string; cookie?: string; ip?: string } = {},
  isOn = true,
): Promise<Answer<T>> {
  const method = options.method ?? (options.body === undefined && options.rawBody === undefined ? "GET" : "POST");
  const headers = new Headers({ "cf-connecting-ip": options.ip ?? randomIp(), origin: ORIGIN });
  if (options.cookie) headers.set("cookie", options.cookie);
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers.set("content-type", "application/json");
  const request = new Request(`${ORIGIN}${path}`, { method, headers, body });
  const res = isOn ? await app.fetch(request, switchedOn, createExecutionContext()) : await SELF.fetch(request);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** A signed-in technician (an admin if `isAdmin`). */
export async function person(name: string, isAdmin = false): Promise<Person> {
  const { technician, cookie } = await createTechnician(name, isAdmin);
  return { id: technician.id, cookie };
}

/** A machine enrolled by `admin`, as its enrolment would store it: a new key, its id the key's SHA-256. */
export async function storedMachine(
  admin: Person,
  name = "front-desk",
): Promise<{ id: string; secretKey: Uint8Array }> {
  const { secretKey, publicKey } = ed25519.keygen();
  const id = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", publicKey)));
  await env.DB.prepare(
    "INSERT INTO machines (id, public_key, name, os, enrolled_by, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)",
  )
    .bind(id, base64url(publicKey), name, "Linux 6.1.0-28-amd64", admin.id, Date.now())
    .run();
  return { id, secretKey };
}

/**
 * The audit entries of `type` that name the machine `machineId` (every one of `type` when none is given), newest
 * first, as `admin` reads them.
 */
export async function machineAuditEntries(
  admin: { cookie: string },
  type: AuditType,
  machineId?: string,
): Promise<AuditEntry[]> {
  const page = await call<AuditEntriesPage>(`/api/audit/entries?type=${type}&order=desc&limit=500`, {
    cookie: admin.cookie,
  });
  expect(page.status).toBe(200);
  const entries = page.body.entries.map((line) => JSON.parse(line) as AuditEntry);
  return machineId === undefined ? entries : entries.filter((entry) => entry.data.machine === machineId);
}

/** The machine's heartbeat, signed as its agent signs it (busy or not), which puts it online; the site's answer. */
export async function beat(machine: { id: string; secretKey: Uint8Array }, isBusy = false): Promise<HeartbeatResponse> {
  const at = Date.now();
  const signature = base64url(ed25519.sign(heartbeatMessage(ORIGIN, machine.id, at, isBusy), machine.secretKey));
  const answer = await call(`/api/machines/${machine.id}/heartbeat`, { body: { at, isBusy, signature } });
  expect(answer.status).toBe(200);
  return HeartbeatResponse.parse(answer.body);
}
