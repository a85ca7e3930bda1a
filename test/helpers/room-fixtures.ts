import type { RoomSettings } from "../../durable-objects/session/state.ts";

// What the room's unit tests start from: a fixed clock origin and the settings a technician's session gets.

/** A fixed "now" in 2027, far from any boundary. */
export const T0 = 1_800_000_000_000;

/** A technician's session: an hour's lifetime, 15 minutes idle, a minute's grace. */
export const ROOM_SETTINGS: RoomSettings = {
  code: "123456789",
  owner: { id: "tech-owner", name: "Olivia Owner" },
  organisation: "Acme IT",
  caseNumber: "INC-7",
  lifetimeS: 3_600,
  idleS: 900,
  graceS: 60,
  limits: { maxMessageBytes: 65_536, messagesPerS: 200, messageBurst: 400 },
};
