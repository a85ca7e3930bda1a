import { describe, expect, it } from "vitest";
import type { Peer, ServerMessage } from "#protocol/room.ts";
import { type Roster, updateRoster } from "../../client/web/src/rtc/roster.ts";

const T0 = 1_700_000_000_000;
const TECH: Peer = { id: "tech", role: "technician", name: "Olivia Owner", isOwner: true, connected: true };
const CUST: Peer = { id: "cust", role: "customer", connected: true };
const EXTRA: Peer = { id: "extra", role: "technician", name: "Evan Extra", isOwner: false, connected: true };

function welcome(peers: Peer[]): ServerMessage {
  return {
    type: "welcome",
    participantId: "me",
    role: "technician",
    resume: "r".repeat(43),
    session: { code: "123456789", state: "connected", expiresAt: T0 + 3_600_000, technician: null },
    peers,
  };
}

/** The roster after a series of frames, starting from an empty room. */
function fold(...messages: ServerMessage[]): Roster {
  return messages.reduce(updateRoster, [] as Roster);
}

describe("updateRoster", () => {
  it("takes the welcome's peers, connected ones with no hold", () => {
    expect(fold(welcome([TECH, CUST]))).toEqual([
      { peer: TECH, rejoinBy: null },
      { peer: CUST, rejoinBy: null },
    ]);
  });

  it("appends a new peer in join order", () => {
    expect(fold(welcome([TECH]), { type: "peerJoined", peer: EXTRA }, { type: "peerJoined", peer: CUST })).toEqual([
      { peer: TECH, rejoinBy: null },
      { peer: EXTRA, rejoinBy: null },
      { peer: CUST, rejoinBy: null },
    ]);
  });

  it("marks a peer that left as disconnected, held until rejoinBy, and leaves the others alone", () => {
    expect(fold(welcome([TECH, CUST]), { type: "peerLeft", id: "cust", rejoinBy: T0 + 60_000 })).toEqual([
      { peer: TECH, rejoinBy: null },
      { peer: { ...CUST, connected: false }, rejoinBy: T0 + 60_000 },
    ]);
  });

  it("holds no deadline when peerLeft gives none", () => {
    expect(fold(welcome([CUST]), { type: "peerLeft", id: "cust" })).toEqual([
      { peer: { ...CUST, connected: false }, rejoinBy: null },
    ]);
  });

  it("puts a returning peer back in its place, connected, with the hold cleared", () => {
    const returned = { ...CUST, name: "Casey" };
    const roster = fold(
      welcome([CUST, TECH]),
      { type: "peerLeft", id: "cust", rejoinBy: T0 + 60_000 },
      { type: "peerJoined", peer: returned },
    );
    expect(roster).toEqual([
      { peer: returned, rejoinBy: null },
      { peer: TECH, rejoinBy: null },
    ]);
  });

  it("removes a peer whose seat is gone, held or not", () => {
    expect(
      fold(
        welcome([TECH, CUST, EXTRA]),
        { type: "peerLeft", id: "cust", rejoinBy: T0 + 60_000 },
        { type: "peerGone", id: "cust" },
        { type: "peerGone", id: "extra" },
      ),
    ).toEqual([{ peer: TECH, rejoinBy: null }]);
  });

  it("keeps the hold peerLeft gave when a welcome after a reconnect lists the peer as still dropped", () => {
    const roster = fold(
      welcome([TECH, CUST]),
      { type: "peerLeft", id: "cust", rejoinBy: T0 + 60_000 },
      welcome([TECH, { ...CUST, connected: false }]),
    );
    expect(roster).toEqual([
      { peer: TECH, rejoinBy: null },
      { peer: { ...CUST, connected: false }, rejoinBy: T0 + 60_000 },
    ]);
  });

  it("lets a welcome replace the roster: a peer it lists as connected has no hold, one it omits is gone", () => {
    const roster = fold(
      welcome([TECH, CUST, EXTRA]),
      { type: "peerLeft", id: "cust", rejoinBy: T0 + 60_000 },
      welcome([CUST, TECH]),
    );
    expect(roster).toEqual([
      { peer: CUST, rejoinBy: null },
      { peer: TECH, rejoinBy: null },
    ]);
  });

  it("holds no deadline for a dropped peer a welcome names that the roster never saw leave", () => {
    expect(fold(welcome([{ ...CUST, connected: false }]))).toEqual([
      { peer: { ...CUST, connected: false }, rejoinBy: null },
    ]);
  });

  it("ignores a peerLeft or peerGone for someone not in the room", () => {
    const before = fold(welcome([TECH]));
    expect(updateRoster(before, { type: "peerLeft", id: "ghost", rejoinBy: T0 })).toEqual(before);
    expect(updateRoster(before, { type: "peerGone", id: "ghost" })).toEqual(before);
  });

  it("returns the same roster, untouched, for frames not about who is there", () => {
    const before = fold(welcome([TECH]));
    expect(updateRoster(before, { type: "offer", from: "tech", sdp: "v=0" })).toBe(before);
    expect(updateRoster(before, { type: "ended", reason: "idle" })).toBe(before);
  });

  it("does not change the roster it was given", () => {
    const before = fold(welcome([TECH, CUST]));
    const copy = structuredClone(before);
    updateRoster(before, { type: "peerLeft", id: "cust", rejoinBy: T0 });
    updateRoster(before, { type: "peerJoined", peer: EXTRA });
    updateRoster(before, { type: "peerGone", id: "tech" });
    expect(before).toEqual(copy);
  });

  it("moves ownership in one step on a hand-over, the former owner staying as a colleague let in", () => {
    const roster = fold(welcome([TECH, EXTRA, CUST]), { type: "ownerChanged", id: "extra" });
    expect(roster.map((e) => e.peer)).toEqual([
      { ...TECH, isOwner: false, isAdmitted: true },
      { ...EXTRA, isOwner: true },
      CUST,
    ]);
  });
});
