import type { RoomSettings } from "../../durable-objects/session/state.ts";

// What the room's unit tests start from: a fixed clock origin and the settings a technician's session gets.

/** A fixed "now" in 2027, far from any boundary. */
export const T0 = 1_800_000_000_000;

/** The customer's seat key in these tests: the bytes 0, 1, … 31, base64url. */
export const SEAT_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/** Its SHA-256, base64url: what the session registers (a unit test checks it against hashSeatKey). */
export const CUSTOMER_KEY_HASH = "Yw3NKWbEM2aRElRIu7JbT_QSpJxzLbLIq8G4WBvXEN0";

/** A technician's session: an hour's lifetime, 15 minutes idle, a minute's grace, the default handshake limits. */
export const ROOM_SETTINGS: RoomSettings = {
  code: "123456789",
  owner: { id: "tech-owner", name: "Olivia Owner" },
  customerKeyHash: CUSTOMER_KEY_HASH,
  organisation: "Acme IT",
  caseNumber: "INC-7",
  lifetimeS: 3_600,
  idleS: 900,
  graceS: 60,
  signInCheckS: 60,
  claimTimeoutS: 600,
  rejoinPerMin: 6,
  limits: { maxMessageBytes: 65_536, messagesPerS: 200, messageBurst: 400 },
  handshake: { backoffBaseS: 2, backoffCapS: 7_200, perMinute: 10 },
};

/** A customer's "Get help" request: no owner until the customer's page confirms a technician's handshake. */
export const HELP_SETTINGS: RoomSettings = { ...ROOM_SETTINGS, code: "987654321", owner: null, caseNumber: null };
