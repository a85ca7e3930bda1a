import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import type { AuditInput } from "#protocol/audit.ts";
import { AuditWriter } from "../../durable-objects/audit-log/AuditWriter.ts";
import { verifierKeyOf } from "../../durable-objects/audit-log/note.ts";
import { createApp } from "../app.ts";
import { parseConfig } from "../config.ts";
import { firstAdminLink } from "../db/enrolment.ts";
import { deleteSession, recordSessionExpiry, recordSessionOwner } from "../db/sessions.ts";
import { liveSignIns, sweepSignIns } from "../db/sign-ins.ts";
import type { Host } from "../host.ts";
import { log } from "../log.ts";
import { sweepRecordings } from "../recordings/sweep.ts";
import { recordSessionEnd } from "../session-end.ts";
import type { Bindings } from "../types.ts";
import { WebhookDispatcher } from "../webhooks/dispatcher.ts";
import { realTimers } from "./alarm-clock.ts";
import { Assets } from "./assets.ts";
import { clientAddressOf } from "./client-address.ts";
import { applyMigrations, readMigrations, SqliteD1 } from "./d1-sqlite.ts";
import { planDoor, readOpenFilesLimit } from "./door-limits.ts";
import { FrontDoor } from "./front-door.ts";
import { MachineLines } from "./machine-lines.ts";
import { RateLimits } from "./rate-limits.ts";
import { fileStore } from "./recording-files.ts";
import { resolveHostname } from "./resolve.ts";
import { RoomStore } from "./room-store.ts";
import { Rooms, refuseSocket } from "./rooms.ts";
import { devAuditKey, devSecret } from "./secret.ts";
import { Sweep } from "./sweep.ts";
import { DeliverySchedule } from "./webhook-schedule.ts";
import { parseWranglerVars } from "./wrangler-vars.ts";

// `npm run start:deno`: the Tether app on Deno at http://localhost:8000 (PORT), listening on 127.0.0.1 only. The
// same routes and protocol as on Workers; rooms live in this process on the same RoomHost, D1's tables and the
// rooms' state in SQLite files under TETHER_DATA_DIR (default .tether-deno), machines' lines and rate limits in memory.

const root = fileURLToPath(new URL("../..", import.meta.url).href);

function fail(message: string): never {
  console.error(`\nTether could not start: ${message}\n`);
  Deno.exit(1);
}

function openSqlite(path: string): DatabaseSync {
  const sqlite = new DatabaseSync(path, { enableForeignKeyConstraints: true });
  sqlite.exec("PRAGMA journal_mode = WAL");
  return sqlite;
}

const port = Number(Deno.env.get("PORT") ?? 8000);
const dataDir = Deno.env.get("TETHER_DATA_DIR") ?? join(root, ".tether-deno");
const origin = `http://localhost:${port}`;
const dist = join(root, "client/web/dist");
try {
  Deno.statSync(join(dist, "index.html"));
} catch {
  fail(`the client is not built (no ${dist}); run npm run build`);
}

// wrangler.toml's [vars] are the defaults; the environment overrides them and holds the secrets.
const vars = parseWranglerVars(readFileSync(join(root, "wrangler.toml"), "utf8"));
if (!vars.ok) fail(vars.message);
mkdirSync(dataDir, { recursive: true });
const environment = Deno.env.toObject();
const secret = environment.JWT_SECRET ? null : devSecret(dataDir);
if (secret) console.log(`JWT_SECRET is not set: ${secret.message}`);
const auditKey = environment.AUDIT_SIGNING_KEY ? null : devAuditKey(dataDir);
if (auditKey) console.log(`AUDIT_SIGNING_KEY is not set: ${auditKey.message}`);

const sqlite = openSqlite(join(dataDir, "d1.sqlite"));
const applied = applyMigrations(sqlite, readMigrations(join(root, "worker/db/migrations")));
if (applied.length > 0) console.log(`Applied migrations: ${applied.join(", ")}`);
const db = new SqliteD1(sqlite);
// Every name the config parser knows is read from here, as a [vars] entry or a secret would be on Workers.
const bindings = {
  ...vars.vars,
  ...environment,
  ...(secret ? { JWT_SECRET: secret.value } : {}),
  ...(auditKey ? { AUDIT_SIGNING_KEY: auditKey.value } : {}),
  DB: db,
} as unknown as Bindings;
const config = parseConfig(bindings as unknown as Record<string, unknown>);
if (!config.ok) fail(config.issues.join("; "));

// The audit log: one writer in this process, over the same database as the routes read it from. Webhook delivery
// follows it: each append wakes the dispatcher (unless its last run found no enabled endpoint), which then runs until
// nothing waits.
const auditLog = new AuditWriter({ db, signer: config.config.AUDIT_SIGNER, now: () => Date.now() });
console.log(`Audit log verifier key: ${verifierKeyOf(config.config.AUDIT_SIGNER)}`);
const webhooks = new WebhookDispatcher({
  db,
  now: () => Date.now(),
  fetch: (url, init) => fetch(url, init),
  settings: config.config.WEBHOOKS,
  resolve: resolveHostname,
});
const deliveries = new DeliverySchedule(() => webhooks.run(), realTimers);
deliveries.wake();
async function appendAudit(input: AuditInput): Promise<number> {
  const seq = await auditLog.append(input);
  if (webhooks.isNeeded) deliveries.wake();
  return seq;
}

// Recordings are files under the data directory; a timer finishes abandoned uploads and deletes expired recordings.
const recordingStore = fileStore(join(dataDir, "recordings"));
const recordingDeps = {
  db,
  store: recordingStore,
  audit: appendAudit,
  retentionDays: config.config.RECORDING_RETENTION_DAYS,
};
const recordingSweep = new Sweep(
  "recording sweep",
  (now) => sweepRecordings(recordingDeps, now, config.config.RECORDING_ABANDON_S * 1000),
  () => Date.now(),
);
await recordingSweep.start();
const roomsDb = openSqlite(join(dataDir, "rooms.sqlite"));
// One set of buckets for the routes' per-address limits and the rooms' handshake budgets.
const limits = new RateLimits();
const rooms = new Rooms(new RoomStore(roomsDb), {
  recordEnd: (code, endedAt) =>
    recordSessionEnd(db, bindings as unknown as Record<string, unknown>, code, endedAt, async (at) =>
      recordingSweep.dueBy(at),
    ),
  recordOwner: (code, technicianId) => recordSessionOwner(db, code, technicianId),
  recordExpiry: (code, expiresAt) => recordSessionExpiry(db, code, expiresAt),
  forgetSession: (code) => deleteSession(db, code),
  hit: async (key, scope, limitPerMinute) => limits.hit(key, scope, limitPerMinute),
  liveSignIns: (ids) => liveSignIns(db, ids, Date.now()),
  audit: appendAudit,
});
await rooms.start();
// Expired sign-ins are deleted by a timer, as the SignInSweeper object's alarm does on Workers.
const signInSweep = new Sweep(
  "sign-in sweep",
  (now) => sweepSignIns(db, now),
  () => Date.now(),
);
await signInSweep.start();
// Machines' lines, in memory: an agent opens its own again after a restart.
const machineLines = new MachineLines();
const assets = new Assets(dist);
// Only these peers' X-Forwarded-For is believed: anyone else could write any address there.
const trustedProxies = new Set(config.config.TRUSTED_PROXIES);
/** The TCP peer of each request in flight, which Deno reports beside the request rather than in a header. */
const peers = new WeakMap<Request, string>();
const host: Host = {
  room: (code) => rooms.handle(code),
  machineLine: (machineId) => machineLines.handle(machineId),
  clientAddress: (request) =>
    clientAddressOf(peers.get(request), request.headers.get("x-forwarded-for"), trustedProxies),
  hit: async (key, scope, limitPerMinute) => limits.hit(key, scope, limitPerMinute),
  refuseSocket,
  sweepSignInsBy: async (at) => signInSweep.dueBy(at),
  audit: appendAudit,
  webhooks: {
    wake: async () => {
      webhooks.expectEndpoints();
      deliveries.wake();
    },
    redeliver: (endpointId, messageId) => webhooks.redeliver(endpointId, messageId),
  },
  recordings: { store: recordingStore, sweepBy: async (at) => recordingSweep.dueBy(at) },
  asset: (request) => assets.fetch(request),
};
const app = createApp(() => host);

let limitsText: string | null = null;
try {
  limitsText = Deno.readTextFileSync("/proc/self/limits");
} catch {
  // Not Linux: the cap is taken as configured.
}
const doorPlan = planDoor(config.config, readOpenFilesLimit(limitsText));
if (doorPlan.lowered) {
  log({ event: "connection_cap_lowered", ...doorPlan.lowered, maxConnections: doorPlan.limits.maxConnections });
}
let listener: Deno.TcpListener;
try {
  listener = Deno.listen({ hostname: "127.0.0.1", port });
} catch (err) {
  fail(`cannot listen on 127.0.0.1:${port}: ${String(err)}`);
}
// Deno.serve listens on an ephemeral loopback port behind the front door, which alone faces clients.
let door: FrontDoor | undefined;
let isStopping = false;
const startHttp = () =>
  Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request, info) => {
    const peer = door?.peer(info.remoteAddr.port);
    if (peer === undefined) {
      const error = { code: "FORBIDDEN", message: `Connect through port ${port}.` };
      return Response.json({ error }, { status: 403 });
    }
    peers.set(request, peer);
    return app.fetch(request, bindings);
  });
let server = startHttp();
door = new FrontDoor(listener, server.addr, doorPlan.limits);
void door.serve();
/** Deno.serve ends on an accept error (EMFILE); it is started again, on a new port, rather than take the host down. */
function keepHttp(current: Deno.HttpServer<Deno.NetAddr>): void {
  current.finished.catch(async (err) => {
    if (isStopping) return;
    log({ event: "http_server_restarted", message: String(err).slice(0, 200) });
    for (let waitMs = 100; ; waitMs = Math.min(waitMs * 2, 5_000)) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      try {
        server = startHttp();
        break;
      } catch (retryErr) {
        log({ event: "accept_failed", count: 1, message: String(retryErr).slice(0, 200) });
      }
    }
    if (door) door.upstream = server.addr;
    keepHttp(server);
  });
}
keepHttp(server);

const link = await firstAdminLink(db, origin);
if (link) {
  console.log(
    `\nNo technician is enrolled yet. Open this one-time link to enrol the first admin (valid until ${new Date(link.expiresAt).toISOString()}):\n\n  ${link.url}\n`,
  );
}
console.log(
  `Tether (Deno) is running at ${origin}, ${rooms.size} stored rooms, ready in ${Math.round(performance.now())} ms`,
);

async function shutdown(): Promise<void> {
  isStopping = true;
  rooms.stop();
  machineLines.stop();
  signInSweep.stop();
  recordingSweep.stop();
  await server.shutdown();
  door?.stop();
  sqlite.close();
  roomsDb.close();
  Deno.exit(0);
}
Deno.addSignalListener("SIGINT", shutdown);
Deno.addSignalListener("SIGTERM", shutdown);
