import { describe, expect, it } from "vitest";
import {
  PakeFinish,
  PakeReply,
  PakeResult,
  PakeStart,
  RelayedPakeFinish,
  RelayedPakeReply,
  RelayedPakeResult,
  RelayedPakeStart,
} from "#protocol/handshake.ts";
import { utf8Length } from "#protocol/parse.ts";
import {
  Answer,
  Candidate,
  type ClientMessage,
  KeyExchange,
  MAX_KEY_EXCHANGE_LENGTH,
  MAX_SDP_LENGTH,
  Offer,
  PROTOCOL_VERSION,
  parseClientMessage,
  parseServerMessage,
  RelayedAnswer,
  RelayedCandidate,
  RelayedKeyExchange,
  RelayedOffer,
  type ServerMessage,
} from "#protocol/room.ts";
import { CreateSessionBody, HelpRequestBody } from "#protocol/sessions.ts";

const MAX = 65_536;
const token = "a".repeat(43);

function parse(value: unknown, maxBytes = MAX) {
  return parseClientMessage(JSON.stringify(value), maxBytes);
}

function errorOf(value: unknown, maxBytes = MAX) {
  const result =
    typeof value === "string" || value instanceof ArrayBuffer
      ? parseClientMessage(value, maxBytes)
      : parse(value, maxBytes);
  expect(result.ok).toBe(false);
  return result.ok ? undefined : result.error;
}

const validClientMessages: ClientMessage[] = [
  { type: "hello", version: PROTOCOL_VERSION },
  { type: "hello", version: PROTOCOL_VERSION, resume: token },
  { type: "offer", to: "abcDEF12", sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n" },
  { type: "answer", to: "abc-_123", sdp: "v=0" },
  { type: "answer", to: "abc-_123", link: "Zx-9_q", sdp: "v=0" },
  {
    type: "candidate",
    to: "peer1",
    candidate: {
      candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host",
      sdpMid: "0",
      sdpMLineIndex: 0,
      usernameFragment: "abcd",
    },
  },
  {
    type: "candidate",
    to: "peer1",
    candidate: { candidate: "", sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
  },
  { type: "candidate", to: "peer1", candidate: { candidate: "candidate:2" } },
  { type: "candidate", to: "peer1", candidate: null },
  { type: "keyExchange", to: "peer1", payload: "AbC-_09" },
  { type: "end" },
];

describe("parseClientMessage", () => {
  it.each(validClientMessages.map((m) => [m.type, m] as const))("accepts a valid %s", (_type, msg) => {
    expect(parse(msg)).toEqual({ ok: true, msg });
  });

  it("accepts a binary frame holding UTF-8 JSON", () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ type: "end" }));
    expect(parseClientMessage(bytes.buffer as ArrayBuffer, MAX)).toEqual({ ok: true, msg: { type: "end" } });
  });

  it("refuses a binary frame that is not UTF-8", () => {
    expect(errorOf(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]).buffer)?.code).toBe("MESSAGE_INVALID");
  });

  it.each([
    ["not JSON", "{type: end}"],
    ["a JSON string", '"end"'],
    ["a JSON array", '[{"type":"end"}]'],
    ["null", "null"],
    ["an empty frame", ""],
  ])("refuses %s", (_what, raw) => {
    expect(errorOf(raw)?.code).toBe("MESSAGE_INVALID");
  });

  it("refuses unknown and missing types", () => {
    expect(errorOf({ type: "shell", cmd: "rm" })).toEqual({
      code: "MESSAGE_INVALID",
      message: "Unknown or missing message type.",
    });
    expect(errorOf({ to: "peer1" })?.message).toBe("Unknown or missing message type.");
    expect(errorOf({ type: 42 })?.code).toBe("MESSAGE_INVALID");
  });

  it.each([
    ["offer without sdp", { type: "offer", to: "p1" }, "sdp"],
    ["offer without to", { type: "offer", sdp: "v=0" }, "to"],
    ["offer naming its connection with a space", { type: "offer", to: "p1", link: "a b", sdp: "v=0" }, "link"],
    [
      "candidate with a 33-character link",
      { type: "candidate", to: "p1", link: "x".repeat(33), candidate: null },
      "link",
    ],
    ["answer with a numeric sdp", { type: "answer", to: "p1", sdp: 5 }, "sdp"],
    ["candidate without candidate", { type: "candidate", to: "p1" }, "candidate"],
    ["candidate with a string candidate", { type: "candidate", to: "p1", candidate: "x" }, "candidate"],
    [
      "candidate with a negative index",
      { type: "candidate", to: "p1", candidate: { candidate: "", sdpMLineIndex: -1 } },
      "sdpMLineIndex",
    ],
    ["keyExchange without payload", { type: "keyExchange", to: "p1" }, "payload"],
    ["keyExchange with non-base64url payload", { type: "keyExchange", to: "p1", payload: "a+b/c=" }, "payload"],
    ["hello without version", { type: "hello" }, "version"],
    ["hello with a short resume token", { type: "hello", version: 1, resume: "abc" }, "resume"],
    ["a target id with spaces", { type: "offer", to: "a b", sdp: "v=0" }, "to"],
    ["an empty target id", { type: "offer", to: "", sdp: "v=0" }, "to"],
  ])("refuses %s, naming the field", (_what, value, field) => {
    const error = errorOf(value);
    expect(error?.code).toBe("MESSAGE_INVALID");
    expect(error?.message).toContain(field);
  });

  it("refuses fields the protocol does not define", () => {
    const error = errorOf({ type: "end", reason: "bye" });
    expect(error).toEqual({ code: "MESSAGE_INVALID", message: "Unexpected field: reason." });
    expect(errorOf({ type: "offer", to: "p1", sdp: "v=0", from: "spoofed" })?.message).toContain("from");
  });

  it.each([
    ["sdp", { type: "offer", to: "p1", sdp: "x".repeat(MAX_SDP_LENGTH + 1) }],
    ["payload", { type: "keyExchange", to: "p1", payload: "x".repeat(MAX_KEY_EXCHANGE_LENGTH + 1) }],
    ["to", { type: "answer", to: "x".repeat(33), sdp: "v=0" }],
    ["candidate", { type: "candidate", to: "p1", candidate: { candidate: "x".repeat(2_049) } }],
    ["sdpMid", { type: "candidate", to: "p1", candidate: { candidate: "", sdpMid: "x".repeat(65) } }],
    [
      "usernameFragment",
      { type: "candidate", to: "p1", candidate: { candidate: "", usernameFragment: "x".repeat(257) } },
    ],
    ["resume", { type: "hello", version: 1, resume: "x".repeat(129) }],
  ])("refuses an over-long %s even under the frame limit", (field, value) => {
    const error = errorOf(value, 1_048_576);
    expect(error?.code).toBe("MESSAGE_INVALID");
    expect(error?.message).toContain(field);
  });

  it("accepts strings at exactly their maximum", () => {
    expect(parse({ type: "offer", to: "x".repeat(32), sdp: "x".repeat(MAX_SDP_LENGTH) }, 1_048_576).ok).toBe(true);
    expect(parse({ type: "keyExchange", to: "p1", payload: "x".repeat(MAX_KEY_EXCHANGE_LENGTH) }).ok).toBe(true);
  });

  it("refuses a frame over the byte limit before parsing it", () => {
    // Invalid JSON, but too large is what it is told: size is checked first.
    expect(errorOf(`{${"x".repeat(2_000)}`, 1_024)).toEqual({
      code: "MESSAGE_TOO_LARGE",
      message: "Messages may be at most 1024 bytes.",
    });
    const big = new Uint8Array(1_025).buffer;
    expect(errorOf(big, 1_024)?.code).toBe("MESSAGE_TOO_LARGE");
  });

  it("counts UTF-8 bytes, not characters", () => {
    const sdp = "é".repeat(600); // 600 characters, 1,200 bytes
    const frame = JSON.stringify({ type: "offer", to: "p1", sdp });
    expect(frame.length).toBeLessThan(1_024);
    expect(parseClientMessage(frame, 1_024)).toMatchObject({ ok: false, error: { code: "MESSAGE_TOO_LARGE" } });
    expect(parseClientMessage(frame, 2_048).ok).toBe(true);
  });

  it("tells a hello from another protocol version so", () => {
    expect(errorOf({ type: "hello", version: 2 })?.code).toBe("UNSUPPORTED_VERSION");
    expect(errorOf({ type: "hello", version: 0, extra: true })?.code).toBe("UNSUPPORTED_VERSION");
    expect(errorOf({ type: "hello", version: "1" })?.code).toBe("MESSAGE_INVALID");
    expect(errorOf({ type: "hello", version: 1.5 })?.code).toBe("MESSAGE_INVALID");
  });

  it("never echoes the offending value", () => {
    const secret = "s3cr3t-value-that-must-not-be-echoed";
    for (const value of [
      { type: secret },
      { type: "offer", to: secret, sdp: "v=0" },
      { type: "keyExchange", to: "p1", payload: `${secret}!` },
    ]) {
      expect(errorOf(value)?.message).not.toContain(secret);
    }
  });
});

describe("relayed frames", () => {
  it.each([
    [Offer, RelayedOffer],
    [Answer, RelayedAnswer],
    [Candidate, RelayedCandidate],
    [KeyExchange, RelayedKeyExchange],
    [PakeStart, RelayedPakeStart],
    [PakeReply, RelayedPakeReply],
    [PakeFinish, RelayedPakeFinish],
    [PakeResult, RelayedPakeResult],
  ] as const)("carry the client frame's fields with `to` turned into `from` (%#)", (client, relayed) => {
    const expected = Object.keys(client.shape).map((key) => (key === "to" ? "from" : key));
    expect(Object.keys(relayed.shape).sort()).toEqual(expected.sort());
    for (const key of Object.keys(client.shape).filter((k) => k !== "to")) {
      expect(relayed.shape[key as keyof typeof relayed.shape]).toBe(client.shape[key as keyof typeof client.shape]);
    }
  });

  it("strips fields it does not know and refuses a bad sender", () => {
    const frame = { type: "offer", from: "peer_1", sdp: "v=0", extra: 1 };
    expect(RelayedOffer.parse(frame)).toEqual({ type: "offer", from: "peer_1", sdp: "v=0" });
    expect(RelayedOffer.safeParse({ ...frame, from: "not an id" }).success).toBe(false);
  });
});

describe("utf8Length", () => {
  it.each(["", "abc", "é", "€", "😀", "a😀b€é", "\ud800", "\udc00x", "\ud800\ud800"])(
    "matches TextEncoder for %j",
    (s) => {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    },
  );
});

const peer = { id: "p1", role: "technician", name: "Ada", isOwner: true, connected: true } as const;
const validServerMessages: ServerMessage[] = [
  {
    type: "welcome",
    participantId: "p2",
    role: "customer",
    resume: token,
    session: {
      code: "123456789",
      state: "connected",
      expiresAt: 1_800_000_000_000,
      technician: { name: "Ada", organisation: "Acme" },
      caseNumber: "C-1",
    },
    peers: [peer],
  },
  { type: "peerJoined", peer: { id: "p2", role: "customer", connected: true } },
  { type: "peerLeft", id: "p1", rejoinBy: 1_800_000_000_000 },
  { type: "peerLeft", id: "p1" },
  { type: "peerGone", id: "p1" },
  { type: "offer", from: "p1", sdp: "v=0" },
  { type: "answer", from: "p1", sdp: "v=0" },
  { type: "candidate", from: "p1", candidate: null },
  { type: "keyExchange", from: "p1", payload: "AAAA" },
  { type: "state", state: "waiting" },
  { type: "ended", reason: "idle" },
  { type: "error", code: "PEER_NOT_FOUND", message: "No such peer." },
];

describe("parseServerMessage", () => {
  it.each(validServerMessages.map((m) => [m.type, m] as const))("accepts a valid %s", (_type, msg) => {
    expect(parseServerMessage(JSON.stringify(msg))).toEqual({ ok: true, msg });
  });

  it("ignores fields a newer server adds", () => {
    expect(parseServerMessage(JSON.stringify({ type: "state", state: "connected", since: 5 }))).toEqual({
      ok: true,
      msg: { type: "state", state: "connected" },
    });
  });

  it.each([
    ["an unknown error code", { type: "error", code: "TEAPOT", message: "x" }],
    ["an unknown end reason", { type: "ended", reason: "bored" }],
    ["an unknown state", { type: "state", state: "paused" }],
    ["a welcome with a bad session code", { ...validServerMessages[0], session: { code: "12ab" } }],
    ["too many peers", { ...validServerMessages[0], peers: Array(9).fill(peer) }],
  ])("refuses %s", (_what, value) => {
    expect(parseServerMessage(JSON.stringify(value))).toMatchObject({ ok: false, error: { code: "MESSAGE_INVALID" } });
  });

  it("has a byte limit too", () => {
    expect(parseServerMessage(JSON.stringify({ type: "offer", from: "p", sdp: "x".repeat(100) }), 50)).toMatchObject({
      ok: false,
      error: { code: "MESSAGE_TOO_LARGE" },
    });
  });
});

describe("CreateSessionBody", () => {
  const customerKeyHash = "h".repeat(43);

  it("takes an optional, trimmed case number of at most 64 characters", () => {
    const body = (extra: Record<string, unknown>) => CreateSessionBody.safeParse({ customerKeyHash, ...extra });
    expect(body({}).success).toBe(true);
    expect(body({ caseNumber: "  INC-42  " }).data).toEqual({ caseNumber: "INC-42", customerKeyHash });
    expect(body({ caseNumber: "x".repeat(64) }).success).toBe(true);
    expect(body({ caseNumber: "x".repeat(65) }).success).toBe(false);
    expect(body({ caseNumber: "   " }).success).toBe(false);
    expect(body({ caseNumber: "a\nb" }).success).toBe(false);
    expect(body({ caseNumber: "a", other: 1 }).success).toBe(false);
  });

  it("requires the customer's seat key hash: 43 base64url characters", () => {
    expect(CreateSessionBody.safeParse({}).success).toBe(false);
    for (const bad of ["h".repeat(42), "h".repeat(44), `${"h".repeat(42)}=`, "a".repeat(64)]) {
      expect(CreateSessionBody.safeParse({ customerKeyHash: bad }).success).toBe(false);
      expect(HelpRequestBody.safeParse({ customerKeyHash: bad }).success).toBe(false);
    }
    expect(HelpRequestBody.safeParse({ customerKeyHash }).success).toBe(true);
    expect(HelpRequestBody.safeParse({ customerKeyHash, caseNumber: "x" }).success).toBe(false);
  });
});
