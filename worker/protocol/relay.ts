import * as z from "zod/mini";

// What relaying does to a frame: a client addresses one peer with `to`; the peer receives the same fields with `to`
// turned into `from`, the sender the room names. Each relayed schema is derived from its client schema here, so the
// two cannot drift apart.

/** A participant's id in one room: short, random, base64url. */
export const ParticipantId = z.string().check(z.minLength(1), z.maxLength(32), z.regex(/^[A-Za-z0-9_-]+$/));

type Addressed = { to: typeof ParticipantId; type: z.ZodMiniLiteral<string> };

/**
 * The frame a peer receives for `schema`: its fields without `to`, plus `from`. Unknown fields are stripped rather
 * than refused (z.object, not strictObject), so an older client keeps working against a newer server.
 */
export function relayedOf<Shape extends Addressed>(schema: z.ZodMiniObject<Shape>) {
  const { to: _to, ...fields } = schema.shape;
  return z.object({ ...(fields as Omit<Shape, "to">), from: ParticipantId });
}
