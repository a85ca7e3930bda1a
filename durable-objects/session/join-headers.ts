import * as z from "zod/mini";
import type { JoinRequest } from "./seats.ts";

/**
 * Headers in which the Worker tells the room who is joining. Only the Worker sets them: it forwards a request it
 * builds from scratch, so a client's own copies never reach the room.
 */
export const JOIN_HEADERS = {
  role: "X-Tether-Role",
  technicianId: "X-Tether-Technician-Id",
  technicianName: "X-Tether-Technician-Name",
  /** The technician's sign-in (sign_ins.id), which the room checks again every SIGN_IN_CHECK_S. */
  signInId: "X-Tether-Sign-In-Id",
  /** The client's address as rate limits key it (client-key.ts), for the room's per-address handshake budget. */
  clientKey: "X-Tether-Client-Key",
} as const;

/** A join as the room receives it: who, and from which address (its rate-limit key). */
export type Joiner = { who: JoinRequest; clientKey: string };

const ClientKey = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[0-9A-Za-z.:/_-]+$/));

const TechnicianJoin = z.object({
  role: z.literal("technician"),
  technicianId: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.minLength(1), z.maxLength(80)),
  signInId: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/)),
});

/** The headers that carry `request` from `clientKey` (the name is percent-encoded: header values are bytes). */
export function toJoinHeaders(request: JoinRequest, clientKey: string): Record<string, string> {
  const from = { [JOIN_HEADERS.clientKey]: clientKey };
  if (request.role === "customer") return { [JOIN_HEADERS.role]: "customer", ...from };
  return {
    [JOIN_HEADERS.role]: "technician",
    [JOIN_HEADERS.technicianId]: request.technicianId,
    [JOIN_HEADERS.technicianName]: encodeURIComponent(request.name),
    ...(request.signInId ? { [JOIN_HEADERS.signInId]: request.signInId } : {}),
    ...from,
  };
}

/**
 * The join in `headers`, or null when they are missing or malformed. A join without its address key is refused too:
 * the Worker always sends one, and a shared stand-in key would let joins of many addresses drain one budget.
 */
export function fromJoinHeaders(headers: Headers): Joiner | null {
  const key = ClientKey.safeParse(headers.get(JOIN_HEADERS.clientKey));
  if (!key.success) return null;
  const who = joinRequest(headers);
  return who ? { who, clientKey: key.data } : null;
}

function joinRequest(headers: Headers): JoinRequest | null {
  const role = headers.get(JOIN_HEADERS.role);
  if (role === "customer") return { role };
  if (role !== "technician") return null;
  let name: string | undefined;
  try {
    name = decodeURIComponent(headers.get(JOIN_HEADERS.technicianName) ?? "");
  } catch {
    return null;
  }
  const parsed = TechnicianJoin.safeParse({
    role,
    technicianId: headers.get(JOIN_HEADERS.technicianId),
    name,
    signInId: headers.get(JOIN_HEADERS.signInId),
  });
  return parsed.success ? parsed.data : null;
}
