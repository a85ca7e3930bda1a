import * as z from "zod/mini";
import { MachineId, MachineSummary } from "#protocol/machines.ts";
import type { LineCheck } from "./line.ts";

/**
 * Headers in which the Worker tells a MachineLine object whose line a socket is for and what its answer is checked
 * against. Only the Worker sets them: it sends a request it builds from scratch, so a client's own copies never reach
 * the object.
 */
export const LINE_HEADERS = {
  machineId: "X-Tether-Machine-Id",
  /** The machine's enrolled Ed25519 public key, as D1 holds it. */
  publicKey: "X-Tether-Machine-Key",
  /** The site's origin, which the agent signs with the nonce. */
  origin: "X-Tether-Origin",
} as const;

/** A line's socket as its object receives it: the machine, and what its answer is checked against. */
export type LineRequest = LineCheck & { machineId: string };

const LineRequest = z.object({
  machineId: MachineId,
  publicKey: MachineSummary.shape.publicKey,
  // A scheme, a host name (at most 253 characters) and a port: well within an attachment's 2 kB.
  origin: z.string().check(z.minLength(1), z.maxLength(300), z.regex(/^https?:\/\/[^/]+$/)),
});

/** The headers that carry `request`. */
export function toLineHeaders(request: LineRequest): Record<string, string> {
  return {
    [LINE_HEADERS.machineId]: request.machineId,
    [LINE_HEADERS.publicKey]: request.publicKey,
    [LINE_HEADERS.origin]: request.origin,
  };
}

/** The line request in `headers`, or null when a header is missing or malformed. */
export function fromLineHeaders(headers: Headers): LineRequest | null {
  const parsed = LineRequest.safeParse({
    machineId: headers.get(LINE_HEADERS.machineId),
    publicKey: headers.get(LINE_HEADERS.publicKey),
    origin: headers.get(LINE_HEADERS.origin),
  });
  return parsed.success ? parsed.data : null;
}
