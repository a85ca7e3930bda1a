import type { FrameError } from "#protocol/parse.ts";
import { type ClientMessage, parseClientMessage, type Role, type ServerMessage } from "#protocol/room.ts";
import { asReceived, base64urlText, fuzzPayload, type Mutated, type Payload, type Rng, randomText } from "./fuzz.ts";

// Frames for fuzzing a room from one seat, on any runtime: well-formed frames of every client type (signals, the
// four handshake frames, hello, end, colleagues' invite, admit, remove and handOver) addressed to the peer or elsewhere, then mutated; each with the protocol's own
// verdict on it, which is what the room must answer when it refuses one for its shape.

/** What a seat knows when it makes frames: who it is, who the other seat is, and its proofs for a hello. */
export type SeatView = {
  role: Role;
  selfId: string;
  peerId: string;
  /** The customer's seat key (absent for a technician). */
  seatKey?: string;
  /** The seat token of the latest welcome. */
  resume: string;
};

/** One frame to send, what was done to it, and how the protocol's parser judges it. */
export type FuzzFrame = Mutated & {
  data: Payload;
  verdict: { ok: true; msg: ClientMessage } | { ok: false; error: FrameError };
};

const HEX = "0123456789ABCDEF";

function fingerprint(rng: Rng) {
  const bytes = Array.from({ length: 32 }, () => `${HEX[rng.int(16)]}${HEX[rng.int(16)]}`);
  return { algorithm: "sha-256", value: bytes.join(":") };
}

function iceCandidate(rng: Rng) {
  if (rng.chance(0.15)) return null;
  const port = rng.between(1_024, 65_535);
  return {
    candidate: `candidate:${rng.int(1e9)} 1 udp 2122260223 192.0.2.${rng.int(255)} ${port} typ host`,
    ...(rng.chance(0.8) ? { sdpMid: String(rng.int(3)) } : {}),
    ...(rng.chance(0.6) ? { sdpMLineIndex: rng.int(3) } : {}),
    ...(rng.chance(0.3) ? { usernameFragment: base64urlText(rng, 8) } : {}),
  };
}

/** Where a frame is addressed: usually the peer, sometimes the sender itself, an unknown id or a malformed one. */
function recipient(rng: Rng, view: SeatView): string {
  return rng.weighted([
    [8, view.peerId],
    [1, view.selfId],
    [1, base64urlText(rng, 8)],
    [0.5, ""],
  ]);
}

/** A well-formed client frame of a random type from `view`'s seat (it may still be refused for its context). */
export function wellFormedFrame(rng: Rng, view: SeatView): Record<string, unknown> {
  const to = recipient(rng, view);
  const type = rng.pick([
    "offer",
    "answer",
    "candidate",
    "keyExchange",
    "pakeStart",
    "pakeReply",
    "pakeFinish",
    "pakeResult",
    "hello",
    "end",
    "leaving",
    "extend",
    "consent",
    "invite",
    "admit",
    "remove",
    "handOver",
  ] as const);
  switch (type) {
    case "offer":
    case "answer":
      return { type, to, sdp: `v=0\r\no=- ${rng.int(1e9)} 2 IN IP4 127.0.0.1\r\n${randomText(rng, 60)}` };
    case "candidate":
      return { type, to, candidate: iceCandidate(rng) };
    case "keyExchange":
      return { type, to, payload: base64urlText(rng, rng.between(1, 120)) };
    case "pakeStart":
      return { type, to, nonce: base64urlText(rng, rng.between(22, 43)), fingerprint: fingerprint(rng) };
    case "pakeReply":
      return {
        type,
        to,
        nonce: base64urlText(rng, rng.between(22, 43)),
        fingerprint: fingerprint(rng),
        share: base64urlText(rng, 43),
      };
    case "pakeFinish":
      return { type, to, share: base64urlText(rng, 43), tag: base64urlText(rng, 86) };
    case "pakeResult": {
      const ok = rng.chance(0.6);
      return { type, to, ok, ...(ok || rng.chance(0.3) ? { tag: base64urlText(rng, 86) } : {}) };
    }
    case "hello":
      return helloFrame(rng, view);
    case "end":
    case "leaving":
    case "extend":
      return { type };
    case "consent":
      return { type, permission: rng.pick(["view", "view", "camera", "control"]), isGiven: rng.chance(0.5) };
    case "invite":
      return { type, keyHash: base64urlText(rng, rng.chance(0.8) ? 43 : rng.between(1, 60)) };
    case "admit":
    case "remove":
    case "handOver":
      return { type, id: to };
  }
}

/** A hello as `view`'s seat would send it, its resume token and seat key sometimes left out. */
export function helloFrame(rng: Rng, view: SeatView): Record<string, unknown> {
  return {
    type: "hello",
    version: 1,
    ...(rng.chance(0.7) ? { resume: view.resume } : {}),
    ...(view.seatKey && rng.chance(0.8) ? { seatKey: view.seatKey } : {}),
    ...(rng.chance(0.3) ? { capture: rng.pick(["screen", "camera"]) } : {}),
    ...(view.role === "technician" && rng.chance(0.2) ? { inviteKey: base64urlText(rng, 43) } : {}),
  };
}

/** The protocol's verdict on `data` as the room will read it. */
export function judge(data: Payload, maxBytes: number): FuzzFrame["verdict"] {
  return parseClientMessage(asReceived(data), maxBytes);
}

/**
 * A random, mostly mutated frame from `view`'s seat that `isAllowed` accepts (for instance: never a well-formed
 * `end`, which would end the session the fuzz runs in).
 */
export function fuzzFrame(
  rng: Rng,
  view: SeatView,
  maxBytes: number,
  isAllowed: (frame: FuzzFrame) => boolean,
): FuzzFrame {
  for (;;) {
    const payload = fuzzPayload(rng, wellFormedFrame(rng, view), { maxBytes });
    const frame = { ...payload, verdict: judge(payload.data, maxBytes) };
    if (isAllowed(frame)) return frame;
  }
}

/** A frame with the fields sorted at every level, so that two frames compare as text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** The frame the room relays for a well-formed `msg` from `from`, canonical: `to` becomes `from`, nothing else changes. */
export function relayedForm(msg: ClientMessage, from: string): string | null {
  if (!("to" in msg)) return null;
  const { to: _to, ...rest } = msg;
  return canonical({ ...rest, from });
}

/** The canonical form of a relayed frame a seat received, to look up among what its peer sent. */
export function receivedForm(msg: ServerMessage): string | null {
  return "from" in msg ? canonical(msg) : null;
}
