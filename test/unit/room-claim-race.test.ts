import { describe, expect, it } from "vitest";
import type { ServerMessage } from "#protocol/room.ts";
import { HANDSHAKE_BUSY_MS } from "../../durable-objects/session/handshake.ts";
import { pake } from "../helpers/handshake.ts";
import { MemoryRoom, type MemorySocket } from "../helpers/memory-runtime.ts";
import { HELP_SETTINGS, T0 } from "../helpers/room-fixtures.ts";

// Two technicians claim one help request at the same moment. Ownership is decided in one place, the room, by the
// customer's confirmation; the sessions table is written only from there, with the room's answer. The frames go
// in without waiting for each other, so the room's awaits (the handshake budgets, hashing, D1) interleave them.

const TINA = { role: "technician", technicianId: "t1", name: "Tina First" } as const;
const SAM = { role: "technician", technicianId: "t2", name: "Sam Second" } as const;

async function race() {
  const room = new MemoryRoom(T0);
  await room.create(HELP_SETTINGS);
  const customer = await room.join({ role: "customer" });
  const [tina, sam] = await Promise.all([room.join(TINA), room.join(SAM)]);
  const customerId = customer.welcome.participantId;
  await Promise.all([room.send(tina.ws, pake.start(customerId)), room.send(sam.ws, pake.start(customerId))]);
  return { room, customer, tina, sam };
}

/** Which of the two technicians' starts reached the customer; the other must have been told to wait. */
function relayedStart(
  customer: { ws: MemorySocket },
  ...techs: { ws: MemorySocket; welcome: { participantId: string } }[]
) {
  const starts = customer.ws.received("pakeStart");
  expect(starts).toHaveLength(1);
  const winner = techs.find((t) => t.welcome.participantId === starts[0]?.from);
  const loser = techs.find((t) => t !== winner);
  if (!winner || !loser) throw new Error("no start reached the customer");
  expect(loser.ws.received("error")).toMatchObject([{ code: "HANDSHAKE_BUSY" }]);
  return { winner, loser };
}

function errors(ws: MemorySocket): ServerMessage[] {
  return ws.received("error");
}

describe("two technicians claiming one help request at once", () => {
  it("get one owner, in the room and in the sessions table alike", async () => {
    const { room, customer, tina, sam } = await race();
    const { winner, loser } = relayedStart(customer, tina, sam);
    const customerId = customer.welcome.participantId;
    const winnerId = winner.welcome.participantId;

    await room.send(customer.ws, pake.reply(winnerId));
    await room.send(winner.ws, pake.finish(customerId));
    // The customer's confirmation and the loser's retry arrive together.
    await Promise.all([room.send(customer.ws, pake.result(winnerId)), room.send(loser.ws, pake.start(customerId))]);

    const owner = room.runtime.storage.load()?.owner;
    const winnerTech = winner === tina ? TINA : SAM;
    expect(owner).toEqual({ id: winnerTech.technicianId, name: winnerTech.name });
    expect(room.runtime.owners).toEqual([{ code: HELP_SETTINGS.code, technicianId: winnerTech.technicianId }]);
    expect(errors(loser.ws).map((e) => "code" in e && e.code)).toContain("NOT_OWNER");
    expect(loser.ws.closedWith?.code).toBe(1008);
    expect(customer.ws.received("pakeStart")).toHaveLength(1);
  });

  it("cannot be given to the other by a verdict about them once the first is confirmed", async () => {
    const { room, customer, tina, sam } = await race();
    const { winner, loser } = relayedStart(customer, tina, sam);
    await room.handshakeFrom(winner, customer);
    // A (buggy or forged) second confirmation about the loser finds no seat and changes nothing.
    await room.send(customer.ws, pake.result(loser.welcome.participantId));
    expect(errors(customer.ws)).toMatchObject([{ code: "PEER_NOT_FOUND" }]);
    expect(room.runtime.owners).toHaveLength(1);
    expect(room.runtime.storage.load()?.owner?.id).toBe(winner === tina ? "t1" : "t2");
  });

  it("keeps the owner the room chose when the sessions table is written late", async () => {
    const { room, customer, tina, sam } = await race();
    const { winner } = relayedStart(customer, tina, sam);
    room.runtime.ownerFailures = 2;
    await room.handshakeFrom(winner, customer);
    expect(room.runtime.owners).toEqual([]);
    await room.advance(HANDSHAKE_BUSY_MS);
    // Retried by the alarm with the room's owner, and only that one.
    const winnerId = winner === tina ? "t1" : "t2";
    expect(room.runtime.owners).toEqual([{ code: HELP_SETTINGS.code, technicianId: winnerId }]);
  });
});
