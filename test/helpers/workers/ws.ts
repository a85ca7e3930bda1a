import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { ClientMessage, ServerMessage } from "#protocol/room.ts";
import { SEAT_PROOF_HEADER } from "#protocol/sessions.ts";
import { newSessionCode } from "../../../durable-objects/session/code.ts";
import type { CreateRoomInput } from "../../../durable-objects/session/SessionRoom.ts";
import { insertSession } from "../../../worker/db/sessions.ts";
import { FrameQueue } from "../frame-queue.ts";
import { completeHandshake, newSeatKey, type SeatKeyPair } from "../handshake.ts";
import { createTechnician } from "./technician.ts";

export const ORIGIN = "http://localhost";

/**
 * The customer's seat key of every session the helpers below created, by code: what the page that holds the session's
 * secret would present, so that `joinRoom(code, "customer")` stays one line.
 */
const seatKeys = new Map<string, { seatKey: string; customerKeyHash: string }>();

/** The seat key registered for `code` by these helpers. */
export function seatKeyOf(code: string): string {
  return registered(code).seatKey;
}

function registered(code: string): { seatKey: string; customerKeyHash: string } {
  const pair = seatKeys.get(code);
  if (!pair) throw new Error(`no seat key was registered for ${code} by these helpers`);
  return pair;
}

/** The seat key's hash registered for `code`: what the customer's page proves to read the session's details. */
export function customerKeyHashOf(code: string): string {
  return registered(code).customerKeyHash;
}

/** The header with which the customer's page of `code` reads GET /api/sessions/:code. */
export function seatProofOf(code: string): Record<string, string> {
  return { [SEAT_PROOF_HEADER]: customerKeyHashOf(code) };
}

/** Adds a fresh seat key's hash to a JSON body that has none; returns the body and the key. */
async function withSeatKey(body: unknown): Promise<{ body: unknown; seatKey: SeatKeyPair | null }> {
  if (typeof body !== "object" || body === null || Array.isArray(body) || "customerKeyHash" in body) {
    return { body, seatKey: null };
  }
  const pair = await newSeatKey();
  return { body: { ...body, customerKeyHash: pair.customerKeyHash }, seatKey: pair };
}

/** Remembers the seat key of the session a 201 answer created. */
async function remember(res: Response, seatKey: SeatKeyPair | null): Promise<void> {
  if (res.status !== 201 || !seatKey) return;
  const { code } = (await res.clone().json()) as { code: string };
  seatKeys.set(code, seatKey);
}

/**
 * A random client address, so that the per-IP limits of one test never spill into another; the tests of those
 * limits pass their own fixed address.
 */
export function randomIp(): string {
  const [a = 0, b = 0, c = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
}

/** One side of a room connection: frames queue up until a test takes them. */
export class Client extends FrameQueue {
  constructor(readonly ws: WebSocket) {
    super();
    ws.addEventListener("message", (event) => this.receive(event.data as string));
    ws.addEventListener("close", (event) => this.markClosed(event.code, event.reason));
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  sendRaw(data: string | ArrayBuffer): void {
    this.ws.send(data);
  }

  protected sendText(text: string): void {
    this.ws.send(text);
  }

  close(code = 1000, reason = "bye"): void {
    this.ws.close(code, reason);
  }
}

/** Opens GET /api/sessions/:code/ws as `role` (from `ip`, else a random address); throws unless it succeeds. */
export async function connect(
  code: string,
  role: "customer" | "technician",
  cookie?: string,
  ip?: string,
): Promise<Client> {
  const res = await upgrade(code, role, cookie, ip ? { "CF-Connecting-IP": ip } : {});
  if (!res.webSocket) throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  return new Client(res.webSocket);
}

/** The raw upgrade response, for tests of refusals. */
export function upgrade(code: string, role: string, cookie?: string, extra: Record<string, string> = {}) {
  return SELF.fetch(`${ORIGIN}/api/sessions/${code}/ws?role=${role}`, {
    headers: {
      Upgrade: "websocket",
      Origin: ORIGIN,
      "CF-Connecting-IP": randomIp(),
      ...(cookie ? { Cookie: cookie } : {}),
      ...extra,
    },
  });
}

/** The hello a participant sends: a customer presents the session's seat key (registered by these helpers). */
export function hello(code: string, role: "customer" | "technician", resume?: string): ClientMessage {
  const seatKey = role === "customer" ? seatKeys.get(code)?.seatKey : undefined;
  return { type: "hello", version: 1, ...(resume ? { resume } : {}), ...(seatKey ? { seatKey } : {}) };
}

/** Connects and says hello; resolves with the client and its welcome. */
export async function joinRoom(
  code: string,
  role: "customer" | "technician",
  cookie?: string,
  resume?: string,
): Promise<{ client: Client; welcome: Extract<ServerMessage, { type: "welcome" }> }> {
  const client = await connect(code, role, cookie);
  client.send(hello(code, role, resume));
  return { client, welcome: await client.next("welcome") };
}

/**
 * POST /api/sessions as the technician with `cookie`. A body without `customerKeyHash` gets a fresh seat key's, and
 * the key is kept for `joinRoom`.
 */
export async function createSession(cookie: string, body: unknown = {}, ip = randomIp()) {
  const signed = await withSeatKey(body);
  const res = await SELF.fetch(`${ORIGIN}/api/sessions`, {
    method: "POST",
    headers: { Origin: ORIGIN, Cookie: cookie, "Content-Type": "application/json", "CF-Connecting-IP": ip },
    body: JSON.stringify(signed.body),
  });
  await remember(res, signed.seatKey);
  return res;
}

/** POST /api/help as a customer's page: a fresh seat key's hash unless `body` says otherwise; the key is kept. */
export async function requestHelp(body: unknown = {}, ip = randomIp()) {
  const signed = await withSeatKey(body);
  const res = await SELF.fetch(`${ORIGIN}/api/help`, {
    method: "POST",
    headers: { Origin: ORIGIN, "Content-Type": "application/json", "CF-Connecting-IP": ip },
    body: JSON.stringify(signed.body),
  });
  await remember(res, signed.seatKey);
  return res;
}

/** The room object behind a code. */
export function roomStub(code: string) {
  return env.SESSION_ROOM.get(env.SESSION_ROOM.idFromName(code));
}

/**
 * A session made the way the route makes one (D1 row, then the room's `create`), but with settings a test picks:
 * short grace or idle periods, a creation time in the past, generous or tiny flood limits.
 */
export async function openRoom(overrides: Partial<CreateRoomInput> = {}) {
  const owner = await createTechnician("Olivia Owner");
  const code = newSessionCode();
  const pair = await newSeatKey();
  seatKeys.set(code, pair);
  const { customerKeyHash } = pair;
  const input: CreateRoomInput = {
    code,
    now: Date.now(),
    owner: { id: owner.technician.id, name: owner.technician.name },
    customerKeyHash,
    organisation: "Tether Test",
    caseNumber: "CASE-1",
    lifetimeS: 3_600,
    idleS: 900,
    graceS: 60,
    signInCheckS: 60,
    claimTimeoutS: 600,
    rejoinPerMin: 6,
    limits: { maxMessageBytes: 65_536, messagesPerS: 200, messageBurst: 400 },
    // Generous per-technician and per-address budgets: many tests share the address range; the budgets have tests.
    handshake: { backoffBaseS: 2, backoffCapS: 7_200, perMinute: 1_000 },
    ...overrides,
  };
  const inserted = await insertSession(
    env.DB,
    {
      code,
      technicianId: owner.technician.id,
      caseNumber: input.caseNumber,
      reference: null,
      createdAt: input.now,
      expiresAt: input.now + input.lifetimeS * 1000,
    },
    100,
  );
  if (inserted !== "inserted") throw new Error(`could not insert session: ${inserted}`);
  const created = await roomStub(code).create(input);
  if (!created.ok) throw new Error(created.message);
  return { code, owner, stub: roomStub(code) };
}

/**
 * A room with its owner and a customer both seated and, unless `isVerified` is false, the owner's handshake confirmed
 * by the customer (made-up but well-formed frames), so that signals pass.
 */
export async function openPair(overrides: Partial<CreateRoomInput> = {}, { isVerified = true } = {}) {
  const opened = await openRoom(overrides);
  const tech = await joinRoom(opened.code, "technician", opened.owner.cookie);
  const customer = await joinRoom(opened.code, "customer");
  await tech.client.next("peerJoined");
  await tech.client.next("state");
  if (isVerified) await verify(tech, customer);
  return { ...opened, tech, customer };
}

type Seated = { client: Client; welcome: { participantId: string } };

/** Runs a handshake between a seated technician and the customer; `ok: false` ends it with the customer's refusal. */
export function verify(tech: Seated, customer: Seated, ok = true) {
  return completeHandshake(
    { side: tech.client, id: tech.welcome.participantId },
    { side: customer.client, id: customer.welcome.participantId },
    ok,
  );
}
