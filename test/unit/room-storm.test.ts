import { describe, expect, it } from "vitest";

import { MemoryRoom, type MemorySocket } from "../helpers/memory-runtime.ts";
import { ROOM_SETTINGS, SEAT_KEY, T0 } from "../helpers/room-fixtures.ts";

// A reconnect storm (a page that reloads in a loop, a flapping network, or someone holding a seat token who
// reconnects on purpose) must not flood the other participants with peerJoined/peerLeft: each seat may be taken back
// RATE_REJOIN_PER_MIN times at once, then as the budget refills.

const OWNER = { role: "technician", technicianId: "tech-owner", name: "Olivia Owner" } as const;
/** RATE_REJOIN_PER_MIN in these settings: a burst of 6, then one every 10 s. */
const BURST = ROOM_SETTINGS.rejoinPerMin;
const REFILL_MS = 60_000 / ROOM_SETTINGS.rejoinPerMin;

async function openPair() {
  const room = new MemoryRoom(T0);
  await room.create(ROOM_SETTINGS);
  const tech = await room.join(OWNER);
  const customer = await room.join({ role: "customer" });
  tech.ws.take();
  return { room, tech, customer };
}

function presence(ws: MemorySocket): string[] {
  return ws.take().flatMap((f) => (f.type === "peerJoined" || f.type === "peerLeft" ? [f.type] : []));
}

/** The customer drops and comes back with its seat token; the hello's answer, welcome or error. */
async function bounce(room: MemoryRoom, resume: string) {
  const ws = await room.connect({ role: "customer" });
  if (!ws) throw new Error("refused at admission");
  await room.send(ws, { type: "hello", version: 1, resume, seatKey: SEAT_KEY });
  return { ws, answer: ws.frames[0] };
}

describe("a reconnect storm", () => {
  it("reaches the others only REJOIN_LIMIT times, then the seat's hello is refused with RATE_LIMITED", async () => {
    const { room, tech, customer } = await openPair();
    let resume = customer.welcome.resume;
    let current = customer.ws;
    for (let i = 0; i < BURST; i++) {
      await room.drop(current);
      const { ws, answer } = await bounce(room, resume);
      if (answer?.type !== "welcome") throw new Error(`rejoin ${i} refused: ${JSON.stringify(answer)}`);
      expect(answer.participantId).toBe(customer.welcome.participantId);
      resume = answer.resume;
      current = ws;
    }
    expect(presence(tech.ws)).toEqual(Array(BURST).fill(["peerLeft", "peerJoined"]).flat());

    await room.drop(current);
    for (let i = 0; i < 50; i++) {
      const { ws, answer } = await bounce(room, resume);
      expect(answer).toEqual({
        type: "error",
        code: "RATE_LIMITED",
        message: `This seat has reconnected too often; try again in ${REFILL_MS / 1000} s.`,
        retryAfterS: REFILL_MS / 1000,
      });
      expect(ws.closedWith?.code).toBe(1008);
    }
    // Fifty refused tries: the technician heard only that the customer left, and the seat is held for them.
    expect(presence(tech.ws)).toEqual(["peerLeft"]);
    expect(room.runtime.storage.load()?.seats.find((s) => s.role === "customer")).toMatchObject({ connected: false });

    await room.advance(REFILL_MS);
    const back = await bounce(room, resume);
    expect(back.answer).toMatchObject({ type: "welcome", participantId: customer.welcome.participantId });
    expect(presence(tech.ws)).toEqual(["peerJoined"]);
  });

  it("counts takeovers of a connected seat (a second tab, a reload before the close) as well", async () => {
    const { room, tech, customer } = await openPair();
    let resume = customer.welcome.resume;
    for (let i = 0; i < BURST; i++) {
      const { answer } = await bounce(room, resume);
      if (answer?.type !== "welcome") throw new Error(`takeover ${i} refused`);
      resume = answer.resume;
    }
    expect(presence(tech.ws)).toEqual(Array(BURST).fill("peerJoined"));
    expect((await bounce(room, resume)).answer).toMatchObject({ code: "RATE_LIMITED" });
    expect(presence(tech.ws)).toEqual([]);
  });

  it("keeps its budget through hibernation", async () => {
    const { room, customer } = await openPair();
    let resume = customer.welcome.resume;
    for (let i = 0; i < BURST; i++) {
      const { answer } = await bounce(room, resume);
      if (answer?.type !== "welcome") throw new Error(`takeover ${i} refused`);
      resume = answer.resume;
    }
    await room.restart();
    expect((await bounce(room, resume)).answer).toMatchObject({ code: "RATE_LIMITED" });
  });
});
