import type { Peer, ServerMessage } from "#protocol/room.ts";

/** Another participant as the room last described them, and until when a dropped one's seat is held. */
export type RosterEntry = { peer: Peer; rejoinBy: number | null };

/** Everyone else in the room, in the order they joined. */
export type Roster = readonly RosterEntry[];

/**
 * The roster after one frame from the room; frames that are not about who is there leave it as it was. Pure, so
 * the customer's page and the technician's viewer read the same room the same way.
 */
export function updateRoster(roster: Roster, msg: ServerMessage): Roster {
  switch (msg.type) {
    case "welcome":
      // A welcome after a reconnect does not say until when a dropped peer is held: keep what peerLeft said.
      return msg.peers.map((peer) => ({
        peer,
        rejoinBy: peer.connected ? null : (roster.find((e) => e.peer.id === peer.id)?.rejoinBy ?? null),
      }));
    case "peerJoined": {
      const entry = { peer: msg.peer, rejoinBy: null };
      const isKnown = roster.some((e) => e.peer.id === msg.peer.id);
      return isKnown ? roster.map((e) => (e.peer.id === msg.peer.id ? entry : e)) : [...roster, entry];
    }
    case "peerLeft":
      return roster.map((e) =>
        e.peer.id === msg.id ? { peer: { ...e.peer, connected: false }, rejoinBy: msg.rejoinBy ?? null } : e,
      );
    case "peerGone":
      return roster.filter((e) => e.peer.id !== msg.id);
    case "ownerChanged":
      // A hand-over: the former owner stays as a colleague the customer had let in.
      return roster.map((e) => {
        if (e.peer.role !== "technician") return e;
        const isOwner = e.peer.id === msg.id;
        const isAdmitted = !isOwner && (e.peer.isOwner === true || e.peer.isAdmitted === true);
        return { ...e, peer: { ...e.peer, isOwner, ...(isAdmitted ? { isAdmitted } : {}) } };
      });
    default:
      return roster;
  }
}
