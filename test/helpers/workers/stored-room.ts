import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { SessionRoom } from "../../../durable-objects/session/SessionRoom.ts";
import type { Room } from "../../../durable-objects/session/state.ts";
import { loadRoom, saveRoom } from "../../../durable-objects/session/store.ts";

// Time-dependent room rules (lifetime, idle timeout, seat grace) are tested by moving the stored times into the past
// rather than by waiting for them, so a verdict never depends on how fast the machine is.

function load(state: DurableObjectState): Room {
  const room = loadRoom(state.storage.sql);
  if (!room) throw new Error("the object holds no session");
  return room;
}

/** The room as its object has stored it. */
export function storedRoom(stub: DurableObjectStub<SessionRoom>): Promise<Room> {
  return runInDurableObject(stub, (_room: SessionRoom, state) => load(state));
}

/**
 * Rewrites the stored room with `edit` (given the object's clock), then evicts the object so that its next event
 * rebuilds the room from storage; seated sockets hibernate and stay open.
 */
export async function rewriteRoom(
  stub: DurableObjectStub<SessionRoom>,
  edit: (room: Room, now: number) => void,
): Promise<void> {
  await runInDurableObject(stub, (_room: SessionRoom, state) => {
    const room = load(state);
    edit(room, Date.now());
    saveRoom(state.storage, room);
  });
  await evictDurableObject(stub);
}
