import { describe, expect, it } from "vitest";
import { type Fresh, join } from "../../durable-objects/session/seats.ts";
import { createRoom, type RoomSettings, summarize } from "../../durable-objects/session/state.ts";

const T0 = 1_800_000_000_000;

const help: RoomSettings = {
  code: "987654321",
  owner: null,
  organisation: "Acme IT",
  caseNumber: null,
  lifetimeS: 3_600,
  idleS: 900,
  graceS: 60,
  limits: { maxMessageBytes: 65_536, messagesPerS: 200, messageBurst: 400 },
};

function fresh(label: string): Fresh {
  return { participantId: label, token: `token-${label}`, tokenHash: `hash-${label}` };
}

describe("a customer's help request", () => {
  it("names no technician until one joins; the first technician in becomes its owner", () => {
    const room = createRoom(help, T0);
    expect(summarize(room).technician).toBeNull();

    const customer = join(room, { role: "customer" }, null, fresh("cust"), T0);
    expect(customer.ok && customer.seat.isOwner).toBe(false);
    expect(room.state).toBe("waiting");

    const first = join(room, { role: "technician", technicianId: "t1", name: "Tina First" }, null, fresh("t1"), T0 + 1);
    expect(first.ok && first.seat.isOwner).toBe(true);
    expect(room.owner).toEqual({ id: "t1", name: "Tina First" });
    expect(summarize(room).technician).toEqual({ name: "Tina First", organisation: "Acme IT" });
    expect(room.state).toBe("connected");
    const toCustomer = first.ok ? first.effects.send.filter((s) => s.to === "cust").map((s) => s.msg) : [];
    expect(toCustomer).toContainEqual({
      type: "peerJoined",
      peer: { id: "t1", role: "technician", name: "Tina First", isOwner: true, connected: true },
    });

    const second = join(
      room,
      { role: "technician", technicianId: "t2", name: "Sam Second" },
      null,
      fresh("t2"),
      T0 + 2,
    );
    expect(second.ok && second.seat.isOwner).toBe(false);
    expect(room.owner?.id).toBe("t1");
  });

  it("is not claimed by a customer", () => {
    const room = createRoom(help, T0);
    join(room, { role: "customer" }, null, fresh("cust"), T0);
    expect(room.owner).toBeNull();
  });
});
