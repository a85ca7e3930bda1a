import type { ClientMessage, ServerMessage } from "#protocol/room.ts";
import { base64url, hashSeatKey } from "../../worker/auth/tokens.ts";

// What the room sees of the handshake between the customer's page and a technician, made up but well formed: the
// room checks the frames' shapes and who sends them to whom, never the cryptography inside. And the customer's seat
// key with the hash that registers it, for tests that create sessions and seat customers.

/** A certificate fingerprint as an SDP carries it. */
export const FINGERPRINT = { algorithm: "sha-256", value: Array(32).fill("AB").join(":") } as const;

const NONCE = "N".repeat(22);
const SHARE = "S".repeat(43);
const TAG = "T".repeat(86);

/** The four handshake frames a client sends, addressed to `to`. */
export const pake = {
  start: (to: string): ClientMessage => ({ type: "pakeStart", to, nonce: NONCE, fingerprint: FINGERPRINT }),
  reply: (to: string): ClientMessage => ({
    type: "pakeReply",
    to,
    nonce: NONCE,
    fingerprint: FINGERPRINT,
    share: SHARE,
  }),
  finish: (to: string): ClientMessage => ({ type: "pakeFinish", to, share: SHARE, tag: TAG }),
  result: (to: string, ok = true): ClientMessage =>
    ok ? { type: "pakeResult", to, ok, tag: TAG } : { type: "pakeResult", to, ok },
};

/** A seat key and the hash a session is created with. */
export type SeatKeyPair = { seatKey: string; customerKeyHash: string };

/** A fresh random seat key (32 bytes, base64url) and its registered hash. */
export async function newSeatKey(): Promise<SeatKeyPair> {
  const seatKey = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const customerKeyHash = await hashSeatKey(seatKey);
  if (!customerKeyHash) throw new Error("hashSeatKey refused a fresh key");
  return { seatKey, customerKeyHash };
}

/** One end of a room connection, on any runtime: it sends frames and takes the next frame of a type. */
export type HandshakeSide = {
  send(msg: ClientMessage): void;
  next<T extends ServerMessage["type"]>(type: T): Promise<Extract<ServerMessage, { type: T }>>;
};

/**
 * Runs the handshake's four frames through a real room, each side waiting for the other's frame as a page would;
 * `ok: false` ends it with the customer's refusal. Resolves with the technician's copy of the verdict.
 */
export async function completeHandshake(
  tech: { side: HandshakeSide; id: string },
  customer: { side: HandshakeSide; id: string },
  ok = true,
): Promise<Extract<ServerMessage, { type: "pakeResult" }>> {
  tech.side.send(pake.start(customer.id));
  await customer.side.next("pakeStart");
  customer.side.send(pake.reply(tech.id));
  await tech.side.next("pakeReply");
  tech.side.send(pake.finish(customer.id));
  await customer.side.next("pakeFinish");
  customer.side.send(pake.result(tech.id, ok));
  return tech.side.next("pakeResult");
}
