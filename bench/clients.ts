import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { newSeatKey, pake, type SeatKeyPair } from "../test/helpers/handshake.ts";
import { SAMPLE_CANDIDATE, sampleSdp } from "./samples.ts";
import type { BenchTechnician } from "./servers.ts";

// Signaling clients for both servers, reduced to what the loops need: frames prepared once (a real client
// serializes each message, but both servers' clients would pay that alike) and a cheap look at each frame's type.

/** How long one step of setting up a connection may take. */
const STEP_TIMEOUT_MS = 15_000;

/** One participant's socket: raw frames out, a handler for raw frames in. */
export type Endpoint = {
  send(frame: string): void;
  onFrame: (frame: string) => void;
  close(): void;
  /** How the server closed the socket (code and reason), once it has; for a failed run's message. */
  closedWith: string | null;
};

/** A customer and a technician connected through one server, with the frames each loop sends. */
export type Pair = {
  customer: Endpoint;
  technician: Endpoint;
  /** Customer → technician: an SDP offer. */
  offer: string;
  /** Technician → customer: the SDP answer. */
  answer: string;
  /** Customer → technician: one ICE candidate. */
  candidate: string;
  /** The type names of those frames as the server relays them. */
  types: { offer: string; answer: string; candidate: string };
  close(): void;
};

/** The `type` of a JSON frame whose first key is `type` (both servers relay frames that way), else "". */
export function frameType(frame: string): string {
  if (!frame.startsWith('{"type":"')) return "";
  const end = frame.indexOf('"', 9);
  return end > 0 ? frame.slice(9, end) : "";
}

function withTimeout<T>(what: string, promise: Promise<T>, ms = STEP_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Opens a socket and resolves with its first frame, then hands later frames to `onFrame`. */
function connect(url: string, headers: Record<string, string>, first?: string): Promise<[Endpoint, string]> {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const endpoint: Endpoint = {
    send: (frame) => ws.send(frame),
    onFrame: () => {},
    close: () => ws.close(1000, "bench done"),
    closedWith: null,
  };
  ws.on("close", (code, reason) => {
    endpoint.closedWith = `${code} ${reason.toString()}`.trim();
  });
  return withTimeout(
    url,
    new Promise((resolve, reject) => {
      let isFirst = true;
      ws.on("message", (data) => {
        const frame = data.toString();
        if (isFirst) {
          isFirst = false;
          resolve([endpoint, frame]);
        } else endpoint.onFrame(frame);
      });
      ws.once("open", () => {
        if (first !== undefined) ws.send(first);
      });
      ws.once("error", reject);
      ws.once("close", (code, reason) => {
        if (isFirst) reject(new Error(`${url} closed with ${code} ${reason.toString()}`));
      });
      ws.once("unexpected-response", (_req, res) => reject(new Error(`${url}: HTTP ${res.statusCode}`)));
    }),
  );
}

/** Waits for the next frame of `type` on `endpoint`, ignoring others. */
function nextOfType(endpoint: Endpoint, type: string): Promise<string> {
  return withTimeout(
    `waiting for ${type}`,
    new Promise((resolve) => {
      endpoint.onFrame = (frame) => {
        if (frameType(frame) !== type) return;
        endpoint.onFrame = () => {};
        resolve(frame);
      };
    }),
  );
}

/** A session the bench created: its code and the seat key its customer presents. */
export type BenchSession = { code: string; seatKey: string };

/**
 * Creates a Tether session as `technician`, registering the hash of `keys.seatKey` as the customer's (a fresh random
 * key unless given: the bench's pages pass the one derived from their link secret).
 */
export async function createSession(
  origin: string,
  technician: BenchTechnician,
  keys?: SeatKeyPair,
): Promise<BenchSession> {
  const { seatKey, customerKeyHash } = keys ?? (await newSeatKey());
  const res = await fetch(`${origin}/api/sessions`, {
    method: "POST",
    headers: { origin, cookie: technician.cookie, "content-type": "application/json" },
    body: JSON.stringify({ customerKeyHash }),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  if (res.status !== 201) throw new Error(`POST /api/sessions: ${res.status} ${await res.text()}`);
  return { code: ((await res.json()) as { code: string }).code, seatKey };
}

const HELLO = JSON.stringify({ type: "hello", version: 1 });

/**
 * Joins a Tether session: the technician first, then the customer (with its seat key), each through the Worker's
 * upgrade route and a hello; then the handshake's four frames, which the room relays without checking their
 * cryptography, so that it relays signals between the two afterwards. `origin` is where to connect; the Origin
 * header names that same origin, as a page served from it would.
 */
export async function joinTether(origin: string, session: BenchSession, technician: BenchTechnician): Promise<Pair> {
  const base = `${origin.replace(/^http/, "ws")}/api/sessions/${session.code}/ws`;
  const [tech, techWelcome] = await connect(`${base}?role=technician`, { origin, cookie: technician.cookie }, HELLO);
  const joined = nextOfType(tech, "peerJoined");
  const customerHello = JSON.stringify({ type: "hello", version: 1, seatKey: session.seatKey });
  const [customer, customerWelcome] = await connect(`${base}?role=customer`, { origin }, customerHello);
  await joined;
  const techId = (JSON.parse(techWelcome) as { participantId?: string }).participantId;
  const customerId = (JSON.parse(customerWelcome) as { participantId?: string }).participantId;
  if (!techId || !customerId)
    throw new Error(`no welcome: ${techWelcome.slice(0, 200)} ${customerWelcome.slice(0, 200)}`);
  const step = async (from: Endpoint, frame: unknown, to: Endpoint, type: string) => {
    const arrived = nextOfType(to, type);
    from.send(JSON.stringify(frame));
    await arrived;
  };
  await step(tech, pake.start(customerId), customer, "pakeStart");
  await step(customer, pake.reply(techId), tech, "pakeReply");
  await step(tech, pake.finish(customerId), customer, "pakeFinish");
  await step(customer, pake.result(techId), tech, "pakeResult");
  return {
    customer,
    technician: tech,
    offer: JSON.stringify({ type: "offer", to: techId, sdp: sampleSdp("offer") }),
    answer: JSON.stringify({ type: "answer", to: customerId, sdp: sampleSdp("answer") }),
    candidate: JSON.stringify({ type: "candidate", to: techId, candidate: SAMPLE_CANDIDATE }),
    types: { offer: "offer", answer: "answer", candidate: "candidate" },
    close() {
      customer.close();
      tech.close();
    },
  };
}

/** Two PeerJS clients (what the `peerjs` browser library says on its socket), each registered under its own id. */
export async function joinPeerJs(origin: string): Promise<Pair> {
  const open = (id: string) =>
    connect(`${origin.replace(/^http/, "ws")}/peerjs?key=peerjs&id=${id}&token=${randomBytes(8).toString("hex")}`, {
      origin,
    });
  const customerId = `customer-${randomBytes(6).toString("hex")}`;
  const techId = `technician-${randomBytes(6).toString("hex")}`;
  const [[customer, a], [tech, b]] = await Promise.all([open(customerId), open(techId)]);
  if (frameType(a) !== "OPEN" || frameType(b) !== "OPEN") throw new Error(`PeerJS did not open: ${a} ${b}`);
  // PeerJS clients send a heartbeat every 5 s; the server drops a client after 90 s without one.
  const heartbeat = setInterval(() => {
    customer.send('{"type":"HEARTBEAT"}');
    tech.send('{"type":"HEARTBEAT"}');
  }, 5_000);
  const connectionId = "mc_bench";
  const payload = (body: Record<string, unknown>) => ({ ...body, type: "media", connectionId, browser: "chrome" });
  return {
    customer,
    technician: tech,
    offer: JSON.stringify({
      type: "OFFER",
      dst: techId,
      payload: payload({ sdp: { type: "offer", sdp: sampleSdp("offer") } }),
    }),
    answer: JSON.stringify({
      type: "ANSWER",
      dst: customerId,
      payload: payload({ sdp: { type: "answer", sdp: sampleSdp("answer") } }),
    }),
    candidate: JSON.stringify({ type: "CANDIDATE", dst: techId, payload: payload({ candidate: SAMPLE_CANDIDATE }) }),
    types: { offer: "OFFER", answer: "ANSWER", candidate: "CANDIDATE" },
    close() {
      clearInterval(heartbeat);
      customer.close();
      tech.close();
    },
  };
}

/** Two sockets on one room of the baseline relay (bench/baseline/relay-worker.ts), sending Tether's frames. */
export async function joinBaseline(origin: string, variant: string, name: string): Promise<Pair> {
  const base = `${origin.replace(/^http/, "ws")}/${variant}/${name}`;
  const [customer] = await connect(`${base}?side=a`, { origin });
  const [technician] = await connect(`${base}?side=b`, { origin });
  return {
    customer,
    technician,
    offer: JSON.stringify({ type: "offer", to: "baseline", sdp: sampleSdp("offer") }),
    answer: JSON.stringify({ type: "answer", to: "baseline", sdp: sampleSdp("answer") }),
    candidate: JSON.stringify({ type: "candidate", to: "baseline", candidate: SAMPLE_CANDIDATE }),
    types: { offer: "offer", answer: "answer", candidate: "candidate" },
    close() {
      customer.close();
      technician.close();
    },
  };
}
