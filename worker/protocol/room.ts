import * as z from "zod/mini";
import { ErrorCode } from "./errors.ts";
import { HandshakeMessages, HandshakeServerMessages } from "./handshake.ts";
import { type FrameError, type FrameResult, parseFrame } from "./parse.ts";
import { ParticipantId, relayedOf } from "./relay.ts";

export { ParticipantId };

/** The signaling protocol's version; a client says it in `hello`. */
export const PROTOCOL_VERSION = 1;

/** Most seats in one room: one customer and up to seven technicians. */
export const MAX_SEATS = 8;

/** Largest SDP blob accepted (the frame limit, WS_MAX_MESSAGE_BYTES, usually bites first). */
export const MAX_SDP_LENGTH = 65_536;

/** Largest PAKE payload, base64url. */
export const MAX_KEY_EXCHANGE_LENGTH = 4_096;

const base64url = /^[A-Za-z0-9_-]+$/;

/** A session's code: nine digits, read aloud or put in a link. */
export const SessionCode = z.string().check(z.regex(/^\d{9}$/));

/** The secret that lets a dropped participant reclaim its seat (from `welcome.resume`). */
export const SeatToken = z.string().check(z.minLength(16), z.maxLength(128), z.regex(base64url));

export const Role = z.enum(["customer", "technician"]);
export type Role = z.infer<typeof Role>;

/** created → waiting → connected ⇄ waiting → ended (terminal). */
export const SessionState = z.enum(["created", "waiting", "connected", "ended"]);
export type SessionState = z.infer<typeof SessionState>;

export const EndReason = z.enum(["ended_by_customer", "ended_by_technician", "expired", "idle"]);
export type EndReason = z.infer<typeof EndReason>;

const Sdp = z.string().check(z.minLength(1), z.maxLength(MAX_SDP_LENGTH));
const KeyExchangePayload = z.string().check(z.minLength(1), z.maxLength(MAX_KEY_EXCHANGE_LENGTH), z.regex(base64url));

/** What RTCIceCandidate.toJSON() gives; null marks the end of candidates. */
export const IceCandidate = z.strictObject({
  candidate: z.string().check(z.maxLength(2_048)),
  sdpMid: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
  sdpMLineIndex: z.optional(z.nullable(z.int().check(z.minimum(0), z.maximum(1_023)))),
  usernameFragment: z.optional(z.nullable(z.string().check(z.maxLength(256)))),
});
export type IceCandidate = z.infer<typeof IceCandidate>;

// Client messages are strict: an unknown field is refused, so the server never relays what it did not check.

/**
 * A key derived from the session's secret that proves the customer's page holds it (32 bytes, base64url): the room
 * keeps only its SHA-256, registered when the session was created, so the customer seat is the secret holder's.
 */
export const SeatKey = /* @__PURE__ */ (() => z.string().check(z.minLength(43), z.maxLength(43), z.regex(base64url)))();

/**
 * What a customer's browser can share: a screen (it has getDisplayMedia), or only a camera (a phone). Said in the
 * customer's hello and shown to the technicians with the customer's seat, so they know before Allow what to expect.
 */
export const Capture = z.enum(["screen", "camera"]);
export type Capture = z.infer<typeof Capture>;

export const Hello = /* @__PURE__ */ (() =>
  z.strictObject({
    type: z.literal("hello"),
    version: z.int().check(z.minimum(1), z.maximum(1_000)),
    resume: z.optional(SeatToken),
    seatKey: z.optional(SeatKey),
    /** The customer's page only: what its browser can share. */
    capture: z.optional(Capture),
    /**
     * A technician the owner invited: the invite key derived from the session's secret (link-secret.ts), whose hash
     * the owner registered with `invite`. It seats them beside the owner; the customer's page still has to let them in.
     */
    inviteKey: z.optional(SeatKey),
  }))();
/**
 * Which connection between two pages an offer, answer or candidate belongs to: the offerer names each new connection
 * and the answerer repeats the name, so that an answer still under way to a connection since replaced is never taken
 * for the new one's (SDP itself does not say which offer an answer answers). The room only carries it.
 */
export const LinkId = z.string().check(z.minLength(1), z.maxLength(32), z.regex(/^[A-Za-z0-9_-]+$/));
export const Offer = z.strictObject({
  type: z.literal("offer"),
  to: ParticipantId,
  link: z.optional(LinkId),
  sdp: Sdp,
});
export const Answer = z.strictObject({
  type: z.literal("answer"),
  to: ParticipantId,
  link: z.optional(LinkId),
  sdp: Sdp,
});
export const Candidate = z.strictObject({
  type: z.literal("candidate"),
  to: ParticipantId,
  link: z.optional(LinkId),
  candidate: z.nullable(IceCandidate),
});
export const KeyExchange = z.strictObject({
  type: z.literal("keyExchange"),
  to: ParticipantId,
  payload: KeyExchangePayload,
});
/**
 * Ends the session. `why: "code_mismatch"`: the person ending it heard other verification words than their page
 * shows (someone may be in the middle); the room records that in the audit log.
 */
export const End = /* @__PURE__ */ (() =>
  z.strictObject({ type: z.literal("end"), why: z.optional(z.literal("code_mismatch")) }))();
export type EndWhy = NonNullable<z.infer<typeof End>["why"]>;

/**
 * The customer's page is going away (closed, reloaded, or navigated elsewhere) after it shared: the session ends
 * unless that page takes its seat back within the rejoin grace, which a reload does and a closed tab does not.
 */
export const Leaving = /* @__PURE__ */ (() => z.strictObject({ type: z.literal("leaving") }))();

/** The owning technician extends the session's lifetime, within the admin's SESSION_MAX_LIFETIME_S. */
export const Extend = /* @__PURE__ */ (() => z.strictObject({ type: z.literal("extend") }))();

/**
 * What a customer allows, each consented to on its own: viewing the screen they share, their voice, their camera,
 * recording the session (when the organisation's RECORDING_POLICY is "ask"), zooming the browser tab they share, and
 * (the native agent only) controlling their mouse and keyboard.
 */
export const Permission = /* @__PURE__ */ (() => z.enum(["view", "voice", "camera", "record", "zoom", "control"]))();
export type Permission = z.infer<typeof Permission>;

/**
 * The customer's page tells the room what it allowed or took back, so that the audit log records consent; the room
 * relays nothing of it and logs only changes.
 */
export const Consent = /* @__PURE__ */ (() =>
  z.strictObject({ type: z.literal("consent"), permission: Permission, isGiven: z.boolean() }))();

/** SHA-256 (base64url) of a key derived from the session's secret: all the room keeps of an invite. */
const KeyHash = /* @__PURE__ */ (() => z.string().check(z.length(43), z.regex(base64url)))();

/**
 * The owner invites colleagues: the hash of the invite key their link carries. The room then seats a technician who
 * presents that key, as a colleague who sees nothing until the customer's page admits them.
 */
export const Invite = /* @__PURE__ */ (() => z.strictObject({ type: z.literal("invite"), keyHash: KeyHash }))();

/** The customer lets a colleague in (after their handshake confirmed); only then do their signals pass. */
export const Admit = /* @__PURE__ */ (() => z.strictObject({ type: z.literal("admit"), id: ParticipantId }))();

/** The customer takes a colleague out (or does not let them in): the seat goes and they cannot come back. */
export const Remove = /* @__PURE__ */ (() => z.strictObject({ type: z.literal("remove"), id: ParticipantId }))();

/**
 * The owner hands the session over to a colleague the customer let in: they own it from now on (they may end and
 * extend it, invite others), and the former owner stays as a colleague or leaves without ending it.
 */
export const HandOver = /* @__PURE__ */ (() => z.strictObject({ type: z.literal("handOver"), id: ParticipantId }))();

/** Every message a client may send on the room's WebSocket. */
export const ClientMessage = /* @__PURE__ */ (() =>
  z.discriminatedUnion("type", [
    Hello,
    Offer,
    Answer,
    Candidate,
    KeyExchange,
    ...HandshakeMessages,
    End,
    Leaving,
    Extend,
    Consent,
    Invite,
    Admit,
    Remove,
    HandOver,
  ]))();
export type ClientMessage = z.infer<typeof ClientMessage>;

/** The client messages that are relayed to one peer. */
export type SignalMessage = Extract<ClientMessage, { to: string }>;

// Server messages strip unknown fields instead, so an older client keeps working against a newer server.

export const Peer = z.object({
  id: ParticipantId,
  role: Role,
  name: z.optional(z.string().check(z.maxLength(80))),
  isOwner: z.optional(z.boolean()),
  /** A colleague (a technician who is not the owner): whether the customer has let them in. */
  isAdmitted: z.optional(z.boolean()),
  connected: z.boolean(),
  /** The customer only: what their browser can share, as their page said (absent: not said, a screen). */
  capture: z.optional(Capture),
});
export type Peer = z.infer<typeof Peer>;

export const SessionSummary = z.object({
  code: SessionCode,
  state: SessionState,
  expiresAt: z.int(),
  /** Null while a customer's help request waits for a technician. */
  technician: z.nullable(
    z.object({ name: z.string().check(z.maxLength(80)), organisation: z.string().check(z.maxLength(80)) }),
  ),
  caseNumber: z.optional(z.string().check(z.maxLength(64))),
  /** The organisation's RECORDING_POLICY, which the consent screen states (GET /api/sessions/:code only). */
  recording: z.optional(z.enum(["off", "ask", "always"])),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const Welcome = z.object({
  type: z.literal("welcome"),
  participantId: ParticipantId,
  role: Role,
  /** A technician's: whether they own the session (false: a colleague the owner invited, or a help request's candidate). */
  isOwner: z.optional(z.boolean()),
  resume: SeatToken,
  session: SessionSummary,
  peers: z.array(Peer).check(z.maxLength(MAX_SEATS)),
});
export const PeerJoined = z.object({ type: z.literal("peerJoined"), peer: Peer });
export const PeerLeft = z.object({ type: z.literal("peerLeft"), id: ParticipantId, rejoinBy: z.optional(z.int()) });
export const PeerGone = z.object({ type: z.literal("peerGone"), id: ParticipantId });
export const RelayedOffer = relayedOf(Offer);
export const RelayedAnswer = relayedOf(Answer);
export const RelayedCandidate = relayedOf(Candidate);
export const RelayedKeyExchange = relayedOf(KeyExchange);
export const StateChanged = z.object({ type: z.literal("state"), state: SessionState });
/** `why: "code_mismatch"`: the side that ended it said the verification code did not match (End's own `why`). */
export const Ended = z.object({
  type: z.literal("ended"),
  reason: EndReason,
  why: z.optional(z.literal("code_mismatch")),
});
/** The session has a new owner (a hand-over): `id` is their participant id. */
export const OwnerChanged = z.object({ type: z.literal("ownerChanged"), id: ParticipantId });
/** The owner extended the session: it now ends at `expiresAt`; `canExtend` says whether the admin's limit allows more. */
export const Extended = z.object({ type: z.literal("extended"), expiresAt: z.int(), canExtend: z.boolean() });
export const ErrorFrame = z.object({
  type: z.literal("error"),
  code: ErrorCode,
  message: z.string().check(z.maxLength(500)),
  /** With HANDSHAKE_WAIT, HANDSHAKE_BUSY and RATE_LIMITED: how many seconds until another try is accepted. */
  retryAfterS: z.optional(z.int().check(z.nonnegative())),
});

/** Every message the server sends on the room's WebSocket. */
export const ServerMessage = z.discriminatedUnion("type", [
  Welcome,
  PeerJoined,
  PeerLeft,
  PeerGone,
  RelayedOffer,
  RelayedAnswer,
  RelayedCandidate,
  RelayedKeyExchange,
  ...HandshakeServerMessages,
  StateChanged,
  Ended,
  Extended,
  OwnerChanged,
  ErrorFrame,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** A hello from another protocol version is told so, rather than refused for its shape. */
function checkVersion(value: unknown): FrameError | undefined {
  const { type, version } = value as { type?: unknown; version?: unknown };
  if (type === "hello" && Number.isInteger(version) && version !== PROTOCOL_VERSION) {
    return {
      code: "UNSUPPORTED_VERSION",
      message: `This server speaks protocol version ${PROTOCOL_VERSION}; reload the page to update.`,
    };
  }
  return undefined;
}

/** Parses one frame from a client: size first, then JSON, then the schema and the protocol version. */
export function parseClientMessage(raw: string | ArrayBuffer, maxBytes: number): FrameResult<ClientMessage> {
  return parseFrame(ClientMessage, raw, maxBytes, checkVersion);
}

/** Parses one frame from the server, for clients. */
export function parseServerMessage(raw: string | ArrayBuffer, maxBytes = 1_048_576): FrameResult<ServerMessage> {
  return parseFrame(ServerMessage, raw, maxBytes);
}
