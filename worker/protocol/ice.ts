import * as z from "zod/mini";

/** One entry of RTCConfiguration.iceServers. */
export const IceServer = z.object({
  urls: z.array(z.string().check(z.maxLength(256))).check(z.minLength(1), z.maxLength(16)),
  username: z.optional(z.string().check(z.maxLength(256))),
  credential: z.optional(z.string().check(z.maxLength(256))),
});
export type IceServer = z.infer<typeof IceServer>;

/** GET /api/sessions/:code/ice — what a participant's RTCPeerConnection should use, and until when. */
export const IceConfig = z.object({
  iceServers: z.array(IceServer).check(z.maxLength(8)),
  iceTransportPolicy: z.enum(["all", "relay"]),
  /** Which relay is behind the servers; "none" means direct connections only. */
  relay: z.enum(["none", "coturn", "cloudflare"]),
  /** When the credentials stop working (ms); clients refresh before then. */
  expiresAt: z.int(),
  /** The largest file either side may send over the connection (FILE_MAX_BYTES). */
  maxFileBytes: z.optional(z.int().check(z.positive())),
});
export type IceConfig = z.infer<typeof IceConfig>;
