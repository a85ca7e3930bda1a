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
} as const;

const TechnicianJoin = z.object({
  role: z.literal("technician"),
  technicianId: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.minLength(1), z.maxLength(80)),
});

/** The headers that carry `request` (the name is percent-encoded: header values are bytes). */
export function toJoinHeaders(request: JoinRequest): Record<string, string> {
  if (request.role === "customer") return { [JOIN_HEADERS.role]: "customer" };
  return {
    [JOIN_HEADERS.role]: "technician",
    [JOIN_HEADERS.technicianId]: request.technicianId,
    [JOIN_HEADERS.technicianName]: encodeURIComponent(request.name),
  };
}

/** The join request in `headers`, or null when they are missing or malformed. */
export function fromJoinHeaders(headers: Headers): JoinRequest | null {
  const role = headers.get(JOIN_HEADERS.role);
  if (role === "customer") return { role };
  if (role !== "technician") return null;
  let name: string | undefined;
  try {
    name = decodeURIComponent(headers.get(JOIN_HEADERS.technicianName) ?? "");
  } catch {
    return null;
  }
  const parsed = TechnicianJoin.safeParse({ role, technicianId: headers.get(JOIN_HEADERS.technicianId), name });
  return parsed.success ? parsed.data : null;
}
