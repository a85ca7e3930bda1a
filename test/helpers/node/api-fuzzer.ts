import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import * as z from "zod/mini";
import {
  InviteList,
  InviteResponse,
  MeResponse,
  PasskeyAddedResponse,
  SignedInResponse,
  TechnicianList,
  TechnicianUpdated,
} from "#protocol/auth.ts";
import { ErrorBody } from "#protocol/errors.ts";
import { IceConfig } from "#protocol/ice.ts";
import {
  HeartbeatResponse,
  MachineEnrolment,
  MachineList,
  MachineResponse,
  MachineSession,
} from "#protocol/machines.ts";
import { PlaybackUrl, RecordingList, StartedRecording } from "#protocol/recordings.ts";
import { SessionSummary } from "#protocol/room.ts";
import { CreatedSession, HelpSession, OwnSessions, SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { WebhookEventType } from "#protocol/webhooks.ts";
import { SESSION_COOKIE } from "../../../worker/auth/session-cookie.ts";
import { hashToken } from "../../../worker/auth/tokens.ts";
import { FRAME_WAIT_MS } from "../frame-queue.ts";
import {
  base64urlText,
  clip,
  fuzzPayload,
  hasStackTrace,
  NASTY_STRINGS,
  type Payload,
  Rng,
  randomText,
} from "../fuzz.ts";
import { SoftAuthenticator } from "../workers/authenticator.ts";
import {
  type Cast,
  type FuzzTechnician,
  type Ledger,
  newLedger,
  prepareCast,
  record,
  signInsEnded,
} from "./api-fuzz-cast.ts";
import type { TestServer } from "./servers.ts";
import { postJson, type SignedIn } from "./technicians.ts";

// Fuzzes every route of the app over HTTP on a running server: random and mutated methods, paths, query strings,
// headers (content type, Origin, sign-in cookie) and bodies built around a well-formed body of each route (with real
// WebAuthn challenges and answers from a software authenticator, so that mutations reach the verifiers). No answer
// may be a 5xx or hang; every API error must be `{ error: { code, message } }` with a code of the protocol's enum; a
// 2xx to an unmutated request must match the route's answer schema. What the fuzz created is tracked, to check the
// state afterwards. Who the fuzz acts as and on, so that the technicians the checks rely on keep working, is in
// api-fuzz-cast.ts.

/**
 * What a route's sample body can draw on: live codes, the admin's passkey, prepared WebAuthn answers, and the ids the
 * admin and passkey routes may name (never one whose loss the checks afterwards could not survive).
 */
type Context = {
  rng: Rng;
  origin: string;
  codes: string[];
  passkeyId: string;
  pools: {
    invites: string[];
    registrations: { response: RegistrationResponseJSON; inviteId: string }[];
    logins: AuthenticationResponseJSON[];
    addPasskeys: RegistrationResponseJSON[];
  };
  targets: { technicians: string[]; passkeys: string[]; invites: string[] };
  /** The invite of the prepared registration this request's body carries, if any. */
  drawn: { inviteId?: string };
};

/** One route of the app, as it registers it, with a usually valid request for it. */
export type RouteCase = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The path as Hono lists it in `app.routes`. */
  path: string;
  url(ctx: Context): string;
  body?(ctx: Context): Record<string, unknown>;
  /** Headers of the route's own beside the cookie, Origin and content type (a customer page's seat proof). */
  headers?(ctx: Context): Record<string, string>;
  /** The schema of a 2xx answer to a well-formed request; absent for pages and WebAuthn options. */
  answer?: z.ZodMiniType;
};

/** A machine's id: well formed (none is enrolled: no machine's key is at hand) or noise. */
function machineId(ctx: Context): string {
  return ctx.rng.chance(0.7) ? base64urlText(ctx.rng, 43) : encode(randomText(ctx.rng, ctx.rng.between(0, 60)));
}

/** A recording id: well-formed (never one that exists, so the answer is a stranger's) or not. */
function recordingId(ctx: Context): string {
  return ctx.rng.chance(0.7) ? base64urlText(ctx.rng, 22) : randomText(ctx.rng, ctx.rng.between(0, 40));
}

function code(ctx: Context): string {
  return ctx.rng.chance(0.8) ? ctx.rng.pick(ctx.codes) : String(ctx.rng.int(1e9)).padStart(9, "0");
}

/**
 * A customer page's seat proof, or none: of the right shape (never a session's own, so the answer is the one a
 * stranger gets) or malformed.
 */
function seatProof(ctx: Context): Record<string, string> {
  const proof = ctx.rng.weighted<string | null>([
    [40, null],
    [40, base64urlText(ctx.rng, 43)],
    [20, base64urlText(ctx.rng, ctx.rng.between(0, 120))],
  ]);
  return proof === null ? {} : { [SEAT_PROOF_HEADER]: proof };
}

function clientData(ctx: Context, type: string): string {
  const data = { type, challenge: base64urlText(ctx.rng, 43), origin: ctx.origin };
  return Buffer.from(JSON.stringify(data)).toString("base64url");
}

function fakeRegistration(ctx: Context): Record<string, unknown> {
  const id = base64urlText(ctx.rng, 22);
  return {
    id,
    rawId: id,
    type: "public-key",
    response: {
      clientDataJSON: clientData(ctx, "webauthn.create"),
      attestationObject: base64urlText(ctx.rng, ctx.rng.between(40, 400)),
      transports: ["internal"],
    },
    clientExtensionResults: {},
  };
}

function fakeLogin(ctx: Context): Record<string, unknown> {
  const id = ctx.rng.chance(0.5) ? ctx.passkeyId : base64urlText(ctx.rng, 22);
  return {
    id,
    rawId: id,
    type: "public-key",
    response: {
      clientDataJSON: clientData(ctx, "webauthn.get"),
      authenticatorData: base64urlText(ctx.rng, 49),
      signature: base64urlText(ctx.rng, 96),
      userHandle: base64urlText(ctx.rng, 43),
    },
    clientExtensionResults: {},
  };
}

/** A real id while `chance` says so, else a made-up one: random of the right shape, or malformed. */
function target(ctx: Context, ids: string[], chance: number, madeUp: (rng: Rng) => string): string {
  if (ctx.rng.chance(chance)) return ctx.rng.pick(ids);
  if (ctx.rng.chance(0.7)) return madeUp(ctx.rng);
  return encode(ctx.rng.pick([...NASTY_STRINGS, "x".repeat(65), "00", "%2F"]));
}

const hex = (rng: Rng, length: number) => Array.from({ length }, () => rng.int(16).toString(16)).join("");

/** A technician's id: a spare's with probability `chance`, else made up. */
function technicianId(ctx: Context, chance: number): string {
  return target(ctx, ctx.targets.technicians, chance, (rng) =>
    [hex(rng, 8), hex(rng, 4), hex(rng, 4), hex(rng, 4), hex(rng, 12)].join("-"),
  );
}

function passkeyId(ctx: Context): string {
  return target(ctx, ctx.targets.passkeys, 0.5, (rng) => base64urlText(rng, 22));
}

function inviteId(ctx: Context): string {
  return target(ctx, ctx.targets.invites, 0.5, (rng) => hex(rng, 64));
}

/** A webhook endpoint's id: well formed (none exists unless the fuzzer made one) or noise. */
function endpointId(ctx: Context): string {
  return ctx.rng.chance(0.7) ? `ep_${base64urlText(ctx.rng, 22)}` : randomText(ctx.rng, ctx.rng.pick([3, 30]));
}

/** A webhook target: mostly public HTTPS (unreachable from the test's private network), else refused or noise. */
function webhookUrl(ctx: Context): string {
  return ctx.rng.weighted([
    [5, `https://hooks.example.com/${base64urlText(ctx.rng, 8)}`],
    [2, ctx.rng.pick(["http://127.0.0.1/", "https://169.254.169.254/", "https://localhost/", "ftp://x"])],
    [1, ctx.rng.pick(NASTY_STRINGS)],
  ]);
}

/** A prepared answer while any are left (each is good once), else a made-up one. */
function prepared<T>(ctx: Context, pool: T[], fake: (ctx: Context) => Record<string, unknown>) {
  const answer = ctx.rng.chance(0.7) ? pool.pop() : undefined;
  return { response: (answer as Record<string, unknown> | undefined) ?? fake(ctx) };
}

/** A display name: mostly a good one, else one the rule for names customers read must refuse, or noise. */
function fuzzName(ctx: Context): string {
  return ctx.rng.weighted([
    [5, ctx.rng.pick(["Fuzz Renamed", "  Jürgen  Groß ", "山田 太郎", "田中さくら"])],
    [3, ctx.rng.pick(["Tess \u202Etroppus tfosorciM", "Te\u200Bss", "\u0422ess", "Tess\u0085", "𝐓𝐞𝐬𝐬"])],
    [2, ctx.rng.chance(0.5) ? randomText(ctx.rng, ctx.rng.pick([10, 90])) : ctx.rng.pick(NASTY_STRINGS)],
  ]);
}

const AuditCheckpointAnswer = z.object({ checkpoint: z.nullable(z.string()), verifierKey: z.string() });
const AuditPageAnswer = z.object({ entries: z.array(z.string()), next: z.nullable(z.int()) });

/** A small entry number, mostly within the log the fuzz grows, sometimes past it. */
function auditCount(ctx: Context): number {
  return ctx.rng.int(ctx.rng.chance(0.8) ? 20 : 100_000);
}

/** A query for GET /api/audit/entries: some of its filters, mostly well formed. */
function auditQuery(ctx: Context): string {
  const { rng } = ctx;
  const params = new URLSearchParams();
  if (rng.chance(0.3)) params.set("start", String(auditCount(ctx)));
  if (rng.chance(0.2)) params.set("end", String(auditCount(ctx)));
  if (rng.chance(0.2)) params.set("session", code(ctx));
  if (rng.chance(0.2)) params.set("technician", technicianId(ctx, 0.5));
  if (rng.chance(0.2)) params.set("type", rng.pick(["session_created", "sign_in_failed", "nope"]));
  if (rng.chance(0.2)) params.set("since", String(Date.now() - rng.int(86_400_000)));
  if (rng.chance(0.3)) params.set("order", rng.pick(["asc", "desc", "up"]));
  if (rng.chance(0.3)) params.set("limit", String(rng.pick([1, 10, 500, 501, 0])));
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** Every route the app registers (a test checks this list against `app.routes`). */
export const ROUTES: RouteCase[] = [
  { method: "GET", path: "/j/:code{[0-9]{9}}", url: (ctx) => `/j/${code(ctx)}` },
  { method: "GET", path: "/j/*", url: (ctx) => ctx.rng.pick(["/j/", "/j/ABC", "/j/12345678", "/j/1234567890/x"]) },
  { method: "GET", path: "/health", url: () => "/health", answer: z.object({ ok: z.literal(true) }) },
  {
    method: "POST",
    path: "/api/auth/register/options",
    url: () => "/api/auth/register/options",
    body: (ctx) => ({
      invite: ctx.rng.chance(0.5)
        ? (ctx.pools.invites.pop() ?? base64urlText(ctx.rng, 43))
        : base64urlText(ctx.rng, 43),
      displayName: ctx.rng.chance(0.7) ? "Fuzz Person" : ctx.rng.pick(NASTY_STRINGS),
    }),
  },
  {
    method: "POST",
    path: "/api/auth/register/verify",
    url: () => "/api/auth/register/verify",
    body: (ctx) => {
      const drawn = ctx.rng.chance(0.7) ? ctx.pools.registrations.pop() : undefined;
      if (drawn) ctx.drawn.inviteId = drawn.inviteId;
      return { response: drawn?.response ?? fakeRegistration(ctx) };
    },
    answer: SignedInResponse,
  },
  { method: "POST", path: "/api/auth/login/options", url: () => "/api/auth/login/options" },
  {
    method: "POST",
    path: "/api/auth/login/verify",
    url: () => "/api/auth/login/verify",
    body: (ctx) => prepared(ctx, ctx.pools.logins, fakeLogin),
    answer: SignedInResponse,
  },
  { method: "POST", path: "/api/auth/logout", url: () => "/api/auth/logout" },
  { method: "GET", path: "/api/me", url: () => "/api/me", answer: MeResponse },
  {
    method: "PATCH",
    path: "/api/me",
    url: () => "/api/me",
    body: (ctx) => ({ name: fuzzName(ctx) }),
    answer: TechnicianUpdated,
  },
  { method: "POST", path: "/api/me/passkeys/options", url: () => "/api/me/passkeys/options" },
  {
    method: "POST",
    path: "/api/me/passkeys/verify",
    url: () => "/api/me/passkeys/verify",
    body: (ctx) => prepared(ctx, ctx.pools.addPasskeys, fakeRegistration),
    answer: PasskeyAddedResponse,
  },
  {
    method: "PATCH",
    path: "/api/me/passkeys/:id",
    url: (ctx) => `/api/me/passkeys/${passkeyId(ctx)}`,
    body: (ctx) => ({
      name: ctx.rng.weighted([
        [6, ctx.rng.pick(["Work laptop", "  Phone  ", "Key 2"])],
        [2, randomText(ctx.rng, ctx.rng.pick([10, 70]))],
        [2, ctx.rng.pick(NASTY_STRINGS)],
      ]),
    }),
    answer: PasskeyAddedResponse,
  },
  { method: "DELETE", path: "/api/me/passkeys/:id", url: (ctx) => `/api/me/passkeys/${passkeyId(ctx)}` },
  { method: "DELETE", path: "/api/me/sign-ins", url: () => "/api/me/sign-ins" },
  { method: "GET", path: "/api/technicians", url: () => "/api/technicians", answer: TechnicianList },
  {
    method: "PATCH",
    path: "/api/technicians/:id",
    url: (ctx) => `/api/technicians/${technicianId(ctx, 0.4)}`,
    body: (ctx) =>
      ctx.rng.weighted<Record<string, unknown>>([
        [5, { isAdmin: ctx.rng.chance(0.5) }],
        [2, { name: fuzzName(ctx), ...(ctx.rng.chance(0.5) ? { nameLocked: ctx.rng.chance(0.5) } : {}) }],
        [2, { nameLocked: ctx.rng.chance(0.5) }],
        [1, {}],
      ]),
    answer: TechnicianUpdated,
  },
  // Seldom a real one: there are a few spare technicians, and a removal takes one away for good.
  { method: "DELETE", path: "/api/technicians/:id", url: (ctx) => `/api/technicians/${technicianId(ctx, 0.1)}` },
  { method: "GET", path: "/api/invites", url: () => "/api/invites", answer: InviteList },
  {
    method: "POST",
    path: "/api/invites",
    url: () => "/api/invites",
    body: (ctx) => (ctx.rng.chance(0.3) ? {} : { isAdmin: ctx.rng.chance(0.5) }),
    answer: InviteResponse,
  },
  { method: "DELETE", path: "/api/invites/:id", url: (ctx) => `/api/invites/${inviteId(ctx)}` },
  { method: "GET", path: "/api/audit/checkpoint", url: () => "/api/audit/checkpoint", answer: AuditCheckpointAnswer },
  {
    method: "GET",
    path: "/api/audit/entries",
    url: (ctx) => `/api/audit/entries${auditQuery(ctx)}`,
    answer: AuditPageAnswer,
  },
  {
    method: "GET",
    path: "/api/audit/proof/inclusion",
    url: (ctx) => `/api/audit/proof/inclusion?seq=${auditCount(ctx)}&size=${auditCount(ctx) + 1}`,
    answer: z.object({ seq: z.int(), size: z.int(), leafHash: z.string(), proof: z.array(z.string()) }),
  },
  {
    method: "GET",
    path: "/api/audit/proof/consistency",
    url: (ctx) => `/api/audit/proof/consistency?from=${auditCount(ctx)}&to=${auditCount(ctx) + 5}`,
    answer: z.object({ from: z.int(), to: z.int(), proof: z.array(z.string()) }),
  },
  { method: "GET", path: "/api/audit/export", url: () => "/api/audit/export", answer: z.array(z.unknown()) },
  {
    method: "GET",
    path: "/api/webhooks",
    url: () => "/api/webhooks",
    answer: z.object({ endpoints: z.array(z.unknown()) }),
  },
  {
    method: "POST",
    path: "/api/webhooks",
    url: () => "/api/webhooks",
    body: (ctx) => ({
      url: webhookUrl(ctx),
      events: ctx.rng.chance(0.8)
        ? [ctx.rng.pick(WebhookEventType.options), ctx.rng.pick(WebhookEventType.options)]
        : [ctx.rng.pick(["session.nope", "", "session.created"])],
      ...(ctx.rng.chance(0.3) ? { description: ctx.rng.pick(NASTY_STRINGS) } : {}),
    }),
    answer: z.object({ endpoint: z.object({ id: z.string() }), secret: z.string().check(z.startsWith("whsec_")) }),
  },
  { method: "DELETE", path: "/api/webhooks/:id", url: (ctx) => `/api/webhooks/${endpointId(ctx)}` },
  { method: "POST", path: "/api/webhooks/:id/enable", url: (ctx) => `/api/webhooks/${endpointId(ctx)}/enable` },
  {
    method: "GET",
    path: "/api/webhooks/:id/attempts",
    url: (ctx) => `/api/webhooks/${endpointId(ctx)}/attempts`,
    answer: z.object({ attempts: z.array(z.unknown()) }),
  },
  {
    method: "POST",
    path: "/api/webhooks/:id/redeliver",
    url: (ctx) => `/api/webhooks/${endpointId(ctx)}/redeliver`,
    body: (ctx) => ({ messageId: ctx.rng.pick(["msg_1", "msg_x", "", "msg_999999999999999999"]) }),
  },
  { method: "GET", path: "/api/tokens", url: () => "/api/tokens", answer: z.object({ tokens: z.array(z.unknown()) }) },
  {
    method: "POST",
    path: "/api/tokens",
    url: () => "/api/tokens",
    body: (ctx) => ({
      name: ctx.rng.chance(0.7) ? "Helpdesk app" : ctx.rng.pick(NASTY_STRINGS),
      scopes: ctx.rng.chance(0.8) ? ["sessions:create"] : [ctx.rng.pick(["admin", "", "sessions:*"])],
    }),
    answer: z.object({ token: z.string().check(z.startsWith("tth_")), apiToken: z.object({ id: z.string() }) }),
  },
  {
    method: "DELETE",
    path: "/api/tokens/:id",
    url: (ctx) => `/api/tokens/${ctx.rng.chance(0.7) ? `tok_${base64urlText(ctx.rng, 22)}` : randomText(ctx.rng, 9)}`,
  },
  {
    method: "GET",
    path: "/api/sessions/:code/ice",
    url: (ctx) => `/api/sessions/${code(ctx)}/ice`,
    headers: seatProof,
    answer: IceConfig,
  },
  {
    method: "POST",
    path: "/api/sessions",
    url: () => "/api/sessions",
    body: (ctx) => ({
      ...(ctx.rng.chance(0.5) ? { caseNumber: ctx.rng.chance(0.5) ? "INC-1" : randomText(ctx.rng, 70) } : {}),
      ...(ctx.rng.chance(0.3) ? { reference: ctx.rng.chance(0.5) ? "zendesk:12345" : randomText(ctx.rng, 110) } : {}),
      customerKeyHash: base64urlText(ctx.rng, 43),
    }),
    answer: CreatedSession,
  },
  { method: "GET", path: "/api/sessions", url: () => "/api/sessions", answer: OwnSessions },
  {
    method: "GET",
    path: "/api/sessions/:code",
    url: (ctx) => `/api/sessions/${code(ctx)}`,
    headers: seatProof,
    answer: SessionSummary,
  },
  {
    method: "GET",
    path: "/api/sessions/:code/ws",
    url: (ctx) => `/api/sessions/${code(ctx)}/ws?role=${ctx.rng.pick(["customer", "technician", "admin", ""])}`,
  },
  {
    method: "POST",
    path: "/api/sessions/:code/recordings",
    url: (ctx) => `/api/sessions/${code(ctx)}/recordings`,
    answer: StartedRecording,
  },
  {
    method: "POST",
    path: "/api/sessions/:code/files",
    url: (ctx) => `/api/sessions/${code(ctx)}/files`,
    body: (ctx) => ({
      name: ctx.rng.chance(0.7) ? "report.pdf" : ctx.rng.pick(NASTY_STRINGS),
      size: ctx.rng.chance(0.8) ? ctx.rng.int(1e9) : -1,
      sha256: ctx.rng.chance(0.8) ? "ab".repeat(32) : randomText(ctx.rng, 64),
      direction: ctx.rng.pick(["toCustomer", "fromCustomer", "sideways"]),
    }),
  },
  {
    method: "GET",
    path: "/api/recordings",
    url: (ctx) => (ctx.rng.chance(0.5) ? `/api/recordings?session=${code(ctx)}` : "/api/recordings"),
    answer: RecordingList,
  },
  {
    method: "PUT",
    path: "/api/recordings/:id/parts/:part",
    url: (ctx) => `/api/recordings/${recordingId(ctx)}/parts/${ctx.rng.pick(["1", "2", "0", "99999", "x"])}`,
  },
  {
    method: "POST",
    path: "/api/recordings/:id/complete",
    url: (ctx) => `/api/recordings/${recordingId(ctx)}/complete`,
  },
  {
    method: "POST",
    path: "/api/recordings/:id/play",
    url: (ctx) => `/api/recordings/${recordingId(ctx)}/play`,
    answer: PlaybackUrl,
  },
  {
    method: "GET",
    path: "/api/recordings/:id/media",
    url: (ctx) =>
      `/api/recordings/${recordingId(ctx)}/media?exp=${ctx.rng.int(2e12)}&sig=${base64urlText(ctx.rng, ctx.rng.chance(0.7) ? 43 : 12)}`,
  },
  { method: "DELETE", path: "/api/recordings/:id", url: (ctx) => `/api/recordings/${recordingId(ctx)}` },
  {
    method: "POST",
    path: "/api/help",
    url: () => "/api/help",
    body: (ctx) => ({ customerKeyHash: base64urlText(ctx.rng, 43) }),
    answer: HelpSession,
  },
  { method: "GET", path: "/api/machines", url: () => "/api/machines", answer: MachineList },
  {
    method: "POST",
    path: "/api/machines/enrolments",
    url: () => "/api/machines/enrolments",
    body: () => ({}),
    answer: MachineEnrolment,
  },
  // A machine's enrolment, with keys and signatures of the right shapes but made up: the signature never verifies.
  {
    method: "POST",
    path: "/api/machines",
    url: () => "/api/machines",
    body: (ctx) => ({
      token: ctx.rng.chance(0.7) ? base64urlText(ctx.rng, 43) : ctx.rng.pick(NASTY_STRINGS),
      publicKey: base64urlText(ctx.rng, 43),
      name: fuzzName(ctx),
      os: ctx.rng.chance(0.7) ? "Linux 6.1.0" : randomText(ctx.rng, 90),
      signature: base64urlText(ctx.rng, 86),
    }),
    answer: MachineResponse,
  },
  {
    method: "PATCH",
    path: "/api/machines/:id",
    url: (ctx) => `/api/machines/${machineId(ctx)}`,
    body: (ctx) => ({ name: fuzzName(ctx) }),
    answer: MachineResponse,
  },
  {
    method: "GET",
    path: "/api/machines/:id",
    url: (ctx) => `/api/machines/${machineId(ctx)}`,
    answer: MachineResponse,
  },
  { method: "DELETE", path: "/api/machines/:id", url: (ctx) => `/api/machines/${machineId(ctx)}` },
  // Assigning a machine (never one that exists: see machineId) to a spare technician or a made-up one, and back.
  {
    method: "PUT",
    path: "/api/machines/:id/technicians/:technicianId",
    url: (ctx) => `/api/machines/${machineId(ctx)}/technicians/${technicianId(ctx, 0.5)}`,
  },
  {
    method: "DELETE",
    path: "/api/machines/:id/technicians/:technicianId",
    url: (ctx) => `/api/machines/${machineId(ctx)}/technicians/${technicianId(ctx, 0.5)}`,
  },
  // An unattended connection to a machine that never exists (machineId): refused, never a session.
  {
    method: "POST",
    path: "/api/machines/:id/sessions",
    url: (ctx) => `/api/machines/${machineId(ctx)}/sessions`,
    body: () => ({}),
    answer: MachineSession,
  },
  {
    method: "POST",
    path: "/api/machines/:id/heartbeat",
    url: (ctx) => `/api/machines/${machineId(ctx)}/heartbeat`,
    body: (ctx) => ({
      at: ctx.rng.chance(0.7) ? Date.now() : ctx.rng.pick([0, -1, 2 ** 53, 1.5]),
      signature: base64urlText(ctx.rng, 86),
    }),
    answer: HeartbeatResponse,
  },
  // A machine's line, asked for as plain HTTP (no upgrade: 426) for a machine that never exists (machineId).
  { method: "GET", path: "/api/machines/:id/line", url: (ctx) => `/api/machines/${machineId(ctx)}/line` },
];

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Percent-encodes `text`; a lone surrogate, which has no UTF-8, becomes U+FFFD's encoding. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return "%EF%BF%BD";
  }
}

/** A path broken in one of the ways a router or a parameter check might not expect. */
function mutatePath(rng: Rng, path: string): string {
  const segments = path.split("/");
  const at = rng.between(1, Math.max(1, segments.length - 1));
  const replacement = rng.pick([
    "12345678",
    "1234567890",
    "abcdefghi",
    "%31%32%33%34%35%36%37%38%39",
    "１２３４５６７８９",
    "123456789%00",
    "..%2F..%2Fetc",
    "%E0%A4%A",
    "%",
    "",
    ".",
    "..",
    "__proto__",
    "constructor",
    encode(rng.pick(NASTY_STRINGS)),
    "9".repeat(rng.pick([100, 2_000, 8_000])),
  ]);
  switch (rng.int(5)) {
    case 0:
      segments[at] = replacement;
      return segments.join("/");
    case 1:
      return `${path}/`;
    case 2:
      return `${path}/${replacement}`;
    case 3:
      return path.replace("/api/", rng.pick(["/API/", "//api/", "/api//", "/api/./", "/api/../api/"]));
    default:
      return path.toUpperCase();
  }
}

function randomQuery(rng: Rng): string {
  const pairs = Array.from({ length: rng.between(1, 4) }, () => {
    const key = rng.pick(["role", "code", "__proto__", "a", "role[]", encode(randomText(rng, 8))]);
    const value = rng.pick(["technician", "customer", "", "%", "%zz", encode(randomText(rng, 20))]);
    return `${key}=${value}`;
  });
  if (rng.chance(0.05)) pairs.push(`big=${"x".repeat(6_000)}`);
  return `?${pairs.join("&")}`;
}

/** A request as sent, for the report of a failing one. */
type FuzzRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Payload;
  how: string;
  /** Neither method nor path mutated: a 2xx must match the route's answer. */
  isFaithful: boolean;
  route: RouteCase;
};

function describeRequest(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? ""
      : typeof request.body === "string"
        ? ` body ${clip(request.body, 300)}`
        : ` body <${request.body.length} bytes>`;
  const headers = Object.entries(request.headers)
    .map(([k, v]) => `${k}: ${clip(k === "cookie" ? v.replace(/=([^;]{12})[^;]*/g, "=$1…") : v, 80)}`)
    .join("; ");
  return `${request.method} ${clip(request.path, 200)} [${request.how}] {${headers}}${body}`;
}

/** Tampers with a sign-in token: a flipped signature, a header of alg none, a payload of someone else, or junk. */
function tamperedToken(rng: Rng, token: string): string {
  const [header = "", payload = "", signature = ""] = token.split(".");
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return rng.pick([
    `${header}.${payload}.${signature.slice(0, -2)}AA`,
    `${b64({ alg: "none", typ: "JWT" })}.${payload}.`,
    `${header}.${b64({ sub: "someone-else", name: "X", adm: true, iss: "tether", aud: "tether-console", exp: 4e9 })}.${signature}`,
    `${b64({ alg: "HS512" })}.${payload}.${signature}`,
    `${header}.${payload}`,
    "a.b.c",
    "",
    "%00",
    "x".repeat(5_000),
  ]);
}

/** The sign-ins the fuzz sends: those the checks rely on, and the spares for requests that may end theirs. */
type SignIns = { admin: string; plain: string; cast: Cast };

/**
 * The admin's and the plain technician's cookie for a request by `method` to `path`; when it may end the sign-in it
 * carries, spare sign-ins stand in for them: another of the admin's, or a spare technician's where it would end every
 * sign-in of its technician (the admin's kept one too).
 */
function cookiesFor(rng: Rng, signIns: SignIns, method: string, path: string): { admin: string; plain: string } {
  const ends = signInsEnded(method, path);
  if (ends === "none") return signIns;
  const spares = signIns.cast.spares.filter((spare) => spare.isSignedOutEverywhere === (ends === "all"));
  const spare = () => rng.pick(rng.pick(spares).signIns).cookie;
  const admin = ends === "one" && rng.chance(0.5) ? rng.pick(signIns.cast.adminSignIns).cookie : spare();
  return { admin, plain: spare() };
}

/** A request as the app's own pages send it: the route's method and path, a sign-in, the site's Origin, JSON. */
function wellFormedRequest(rng: Rng, ctx: Context, signIns: SignIns, origin: string) {
  const route = rng.pick(ROUTES);
  const body = route.body && route.method !== "GET" ? JSON.stringify(route.body(ctx)) : undefined;
  const path = route.url(ctx);
  const cookies = cookiesFor(rng, signIns, route.method, path);
  return {
    method: route.method,
    path,
    headers: {
      ...route.headers?.(ctx),
      cookie: rng.chance(0.75) ? cookies.admin : cookies.plain,
      origin,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body }),
    how: "well formed",
    isFaithful: true,
    route,
  };
}

function makeRequest(rng: Rng, ctx: Context, signIns: SignIns, origin: string): FuzzRequest {
  // Some requests are well formed, so that the state the fuzz then checks has changed.
  if (rng.chance(0.2)) return wellFormedRequest(rng, ctx, signIns, origin);
  const route = rng.pick(ROUTES);
  const isMethodMutated = rng.chance(0.1);
  const method = isMethodMutated ? rng.pick(METHODS) : route.method;
  const isPathMutated = rng.chance(0.15);
  let path = route.url(ctx);
  if (isPathMutated) path = mutatePath(rng, path);
  if (rng.chance(0.15)) path += randomQuery(rng);
  const hows: string[] = [];
  const headers: Record<string, string> = { ...route.headers?.(ctx) };
  const cookies = cookiesFor(rng, signIns, method, path);

  const token = (cookie: string) => cookie.slice(SESSION_COOKIE.length + 1);
  const cookie = rng.weighted<string | null>([
    [45, cookies.admin],
    [12, cookies.plain],
    [20, null],
    [10, `${SESSION_COOKIE}=${tamperedToken(rng, token(cookies.admin))}`],
    [4, `${SESSION_COOKIE}=${base64urlText(rng, 40)}; other=1`],
    [3, `other=1; ${SESSION_COOKIE}=; ${cookies.plain}`],
    [3, `${SESSION_COOKIE}="${token(cookies.admin)}"`],
    [3, `${SESSION_COOKIE}=${"%".repeat(20)}`],
  ]);
  if (cookie !== null) headers.cookie = cookie;
  const requestOrigin = rng.weighted<string | null>([
    [75, origin],
    [8, null],
    [8, "https://evil.example"],
    [3, "null"],
    [3, `${origin}/`],
    [3, origin.toUpperCase()],
  ]);
  if (requestOrigin !== null) headers.origin = requestOrigin;
  const type = rng.weighted<string | null>([
    [65, "application/json"],
    [8, "application/json; charset=utf-8"],
    [3, "application/merge-patch+json"],
    [5, "text/plain"],
    [4, "application/x-www-form-urlencoded"],
    [3, "multipart/form-data; boundary=x"],
    [8, null],
    [4, rng.pick(["json", "application/", "*/*", "application/json, text/plain", "APPLICATION/JSON"])],
  ]);
  if (type !== null) headers["content-type"] = type;
  if (rng.chance(0.05))
    headers["cf-connecting-ip"] = rng.pick(["203.0.113.9", "::1", "not an address", "1.1.1.1, 2.2.2.2"]);
  if (rng.chance(0.03)) headers["x-tether-role"] = "technician";

  let body: Payload | undefined;
  if (method !== "GET" && method !== "HEAD") {
    if (route.body && rng.chance(0.9)) {
      const payload = fuzzPayload(rng, route.body(ctx), { maxBytes: 32 * 1024 });
      hows.push(payload.how);
      body = payload.data;
    } else if (rng.chance(0.5)) {
      body = rng.chance(0.5) ? "{}" : randomText(rng, 100);
      hows.push("stray body");
    }
    if (rng.chance(0.01)) {
      body = JSON.stringify({ customerKeyHash: "x".repeat(rng.pick([200_000, 2_000_000])) });
      hows.push("huge body");
    }
  }
  if (isMethodMutated) hows.push("method");
  if (isPathMutated) hows.push("path");
  return {
    method,
    path,
    headers,
    ...(body === undefined ? {} : { body }),
    how: hows.join(", ") || "as is",
    isFaithful: !isMethodMutated && !isPathMutated,
    route,
  };
}

export type ApiFuzzOptions = {
  server: TestServer;
  seed: number;
  requests: number;
  /** A cap that only shortens the run: no new request starts after it. */
  wallClockMs: number;
  concurrency: number;
  admin: FuzzTechnician;
  plain: SignedIn;
  /** Live session codes the paths may name. */
  codes: string[];
};

export type ApiFuzzReport = {
  requests: number;
  statuses: Record<string, number>;
  /** Codes of the sessions that POST /api/sessions and POST /api/help answered 201 with. */
  created: string[];
  helped: string[];
  /** The seat key hash each of those sessions was created with: the proof that lets its page read it. */
  seatProofs: Record<string, string>;
  /** The spare sign-ins and technicians, and what the answers say the fuzz changed. */
  cast: Cast;
  ledger: Ledger;
  /** Ids of the passkeys prepared for the admin to add. */
  passkeysToAdd: string[];
  ms: number;
  isCapped: boolean;
  problems: string[];
};

/**
 * Real WebAuthn answers for the fuzz to send (each good once): sign-ins, enrolments and added passkeys. The invites
 * made for them go into the ledger.
 */
async function preparePools(options: ApiFuzzOptions, ledger: Ledger): Promise<Context["pools"]> {
  const { server, admin } = options;
  const json = async <T>(res: Response): Promise<T> => {
    if (!res.ok) throw new Error(`preparing the fuzz: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const pools: Context["pools"] = { invites: [], registrations: [], logins: [], addPasskeys: [] };
  for (let i = 0; i < 16; i++) {
    const invite = await json<{ url: string }>(
      await postJson(server, "/api/invites", { isAdmin: false }, admin.cookie),
    );
    const token = new URL(invite.url).hash.slice(1);
    const inviteId = await hashToken(token);
    ledger.invitesMade.add(inviteId);
    if (i % 2 === 0) {
      pools.invites.push(token);
      continue;
    }
    const options = await json<PublicKeyCredentialCreationOptionsJSON>(
      await postJson(server, "/api/auth/register/options", { invite: token, displayName: `Fuzz Enrolee ${i}` }),
    );
    pools.registrations.push({ response: await new SoftAuthenticator(server.origin).register(options), inviteId });
  }
  for (let i = 0; i < 12; i++) {
    const options = await json<PublicKeyCredentialRequestOptionsJSON>(
      await postJson(server, "/api/auth/login/options", {}),
    );
    pools.logins.push(await admin.authenticator.authenticate(options));
  }
  for (let i = 0; i < 6; i++) {
    const options = await json<PublicKeyCredentialCreationOptionsJSON>(
      await postJson(server, "/api/me/passkeys/options", {}, admin.cookie),
    );
    // A fresh authenticator: the admin's own would refuse, its credential being excluded.
    pools.addPasskeys.push(await new SoftAuthenticator(server.origin).register(options));
  }
  return pools;
}

/** The path the router matches for `url`: as the URL parser normalises it, percent-decoded where it decodes. */
function routedPath(url: string): string {
  const { pathname } = new URL(url);
  try {
    return decodeURI(pathname);
  } catch {
    return pathname;
  }
}

/** Runs the fuzz described at the top of this file. */
export async function fuzzApi(options: ApiFuzzOptions): Promise<ApiFuzzReport> {
  const started = performance.now();
  const { server, seed } = options;
  // The spare sign-ins first: the prepared sign-in answers, made after them, carry the admin's next counters.
  const cast = await prepareCast(server, options.admin);
  const ledger = newLedger();
  const pools = await preparePools(options, ledger);
  const report: ApiFuzzReport = {
    requests: 0,
    statuses: {},
    created: [],
    helped: [],
    seatProofs: {},
    cast,
    ledger,
    passkeysToAdd: pools.addPasskeys.map((response) => response.id),
    ms: 0,
    isCapped: false,
    problems: [],
  };
  const targets: Context["targets"] = {
    technicians: cast.spares.map((spare) => spare.id),
    // Only the passkeys of spares whose sign-ins end one at a time: the others' all end at once anyway.
    passkeys: [
      ...cast.spares.filter((spare) => !spare.isSignedOutEverywhere).flatMap((spare) => spare.passkeyIds),
      ...report.passkeysToAdd,
    ],
    invites: [...ledger.invitesMade, ...cast.inviteIds],
  };
  const spareSignIns = [...cast.adminSignIns, ...cast.spares.flatMap((spare) => spare.signIns)];
  const deadline = started + options.wallClockMs;
  const signIns: SignIns = { admin: options.admin.cookie, plain: options.plain.cookie, cast };
  let next = 0;

  const problem = (request: FuzzRequest, index: number, text: string) => {
    if (report.problems.length < 50) {
      report.problems.push(clip(`request ${index}: ${describeRequest(request)}: ${text}`, 2_000));
    }
  };

  async function one(index: number): Promise<void> {
    const rng = Rng.derive(seed, `${server.name}/api/${index}`);
    const ctx: Context = {
      rng,
      origin: server.origin,
      codes: options.codes,
      passkeyId: options.admin.passkeyId,
      pools,
      targets,
      drawn: {},
    };
    const request = makeRequest(rng, ctx, signIns, server.origin);
    const cookie = request.headers.cookie ?? "";
    const spare = spareSignIns.find((s) => cookie.includes(s.cookie.slice(SESSION_COOKIE.length + 1)));
    let res: Response;
    try {
      res = await fetch(`${server.origin}${request.path}`, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined
          ? {}
          : { body: typeof request.body === "string" ? request.body : Uint8Array.from(request.body) }),
        redirect: "manual",
        signal: AbortSignal.timeout(FRAME_WAIT_MS),
      });
    } catch (err) {
      problem(request, index, `no answer: ${String(err)}`);
      return;
    }
    const text = await res.text();
    report.statuses[res.status] = (report.statuses[res.status] ?? 0) + 1;
    if (res.status >= 500) return problem(request, index, `${res.status} ${clip(text, 300)}`);
    const pathname = routedPath(`${server.origin}${request.path}`);
    if (!pathname.startsWith("/api/") || request.method === "HEAD") return;
    if (hasStackTrace(text)) return problem(request, index, `${res.status} with a stack trace: ${clip(text, 300)}`);
    let json: unknown;
    // The audit export is JSON Lines (checked line by line below), every other answer one JSON value.
    const isJsonLines = res.status === 200 && res.headers.get("content-type")?.startsWith("application/jsonl");
    try {
      json =
        res.status === 204
          ? undefined
          : isJsonLines
            ? text
                .trimEnd()
                .split("\n")
                .map((line) => JSON.parse(line))
            : JSON.parse(text);
    } catch {
      problem(request, index, `${res.status} with a body that is not JSON: ${clip(text, 200)}`);
      return;
    }
    if (res.status < 300) {
      await record(ledger, {
        method: request.method,
        pathname,
        status: res.status,
        json,
        ...(spare ? { signIn: { spare, isExact: cookie === spare.cookie } } : {}),
        ...(ctx.drawn.inviteId ? { inviteId: ctx.drawn.inviteId } : {}),
      });
    }
    if (res.status === 204) return;
    if (res.status >= 400) {
      if (!ErrorBody.safeParse(json).success) problem(request, index, `${res.status} ${clip(text, 300)}`);
      return;
    }
    const { route } = request;
    if (request.isFaithful && route.answer && !route.answer.safeParse(json).success) {
      problem(request, index, `${res.status} does not match the route's answer: ${clip(text, 300)}`);
    }
    if (res.status === 201 && route.path === "/api/sessions" && CreatedSession.safeParse(json).success) {
      report.created.push((json as CreatedSession).code);
      rememberProof((json as CreatedSession).code, request.body);
    }
    if (res.status === 201 && route.path === "/api/help" && HelpSession.safeParse(json).success) {
      report.helped.push((json as HelpSession).code);
      rememberProof((json as HelpSession).code, request.body);
    }
  }

  /** Keeps the seat key hash a created session's body registered. */
  function rememberProof(code: string, body: unknown): void {
    try {
      // Read as the server reads it (the Fetch standard's text()): bytes decoded as UTF-8, a leading BOM dropped.
      const text = body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body).replace(/^\uFEFF/, "");
      const { customerKeyHash } = JSON.parse(text) as { customerKeyHash?: unknown };
      if (typeof customerKeyHash === "string") report.seatProofs[code] = customerKeyHash;
    } catch {
      // A body that is not JSON created nothing.
    }
  }

  async function worker(): Promise<void> {
    while (next < options.requests) {
      if (performance.now() > deadline) {
        report.isCapped = true;
        return;
      }
      const index = next++;
      await one(index);
      report.requests++;
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  report.ms = Math.round(performance.now() - started);
  return report;
}
