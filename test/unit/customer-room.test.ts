import { describe, expect, it, vi } from "vitest";
import type { CertificateFingerprint } from "#protocol/handshake.ts";
import type { ClientMessage, Peer, ServerMessage } from "#protocol/room.ts";
import { newLinkSecret, prsOfLinkSecret } from "../../client/core/link-secret.ts";
import { CustomerRoom, type RoomNotice } from "../../client/web/src/customer/CustomerRoom.ts";
import { linkSecret } from "../../client/web/src/customer/secret.ts";
import { interceptNotice } from "../../client/web/src/rtc/intercept-notice.ts";
import { CustomerCheck } from "../../client/web/src/viewer/CustomerCheck.ts";

// The customer's side of the room that the customer's page and the native agent share: a technician's console
// (CustomerCheck, the real one) proves the link's secret to it through a relay that turns `to` into `from` as the room
// does, and every other frame of the room is fed to it as the room would send it.

const CODE = "123456789";
const TECH = "tech-1";
const CUST = "cust-1";

/** A SHA-256 fingerprint of 32 bytes `hex`. */
const fingerprint = (hex: string): CertificateFingerprint => ({
  algorithm: "sha-256",
  value: `${hex}:`.repeat(32).slice(0, -1),
});

const technician: Peer = { id: TECH, role: "technician", connected: true, isOwner: true, name: "Tess Tech" };

/** A room whose events are written down in order, and a technician's console proving `techPrs` (the link's unless said). */
function stage(techPrs?: Uint8Array) {
  const prs = prsOfLinkSecret(newLinkSecret()) ?? new Uint8Array();
  const events: string[] = [];
  const notices: (RoomNotice | null)[] = [];
  const relay = (msg: ClientMessage, from: string): ServerMessage => {
    const { to: _to, ...fields } = msg as ClientMessage & { to: string };
    return { ...fields, from } as ServerMessage;
  };
  const sent: ClientMessage[] = [];
  const check = new CustomerCheck(
    CODE,
    { kind: "link", prs: techPrs ?? prs },
    {
      send(msg) {
        room.receive(relay(msg, TECH));
        return true;
      },
      onStatus: () => undefined,
      onConfirmed: () => undefined,
    },
  );
  const room: CustomerRoom = new CustomerRoom(
    CODE,
    linkSecret(prs),
    Promise.resolve({ fingerprint: fingerprint("01") }),
    {
      send(msg) {
        sent.push(msg);
        const relayed = relay(msg, CUST);
        if (relayed.type === "pakeReply" || relayed.type === "pakeResult") check.receive(relayed);
        return true;
      },
      onWelcome: (session) => events.push(`welcome ${session.code}`),
      onPeersChanged: () => events.push(`peers ${room.roster.map((e) => e.peer.id).join(",")}`),
      onGone: (id) => events.push(`gone ${id} ${room.trusted(id) ? "trusted" : "untrusted"}`),
      onSignal: (msg) => events.push(`signal ${msg.type} ${msg.from}`),
      onOwnerChanged: (id) => events.push(`owner ${id}`),
      onExtended: (expiresAt) => events.push(`extended ${expiresAt}`),
      onNotice: (notice) => notices.push(notice),
      onEnded: (end) => events.push(`ended ${end.reason}`),
    },
  );
  let isSeated = false;
  /** The technician is in the room and proves the secret with certificate `hex` (again: as its seat came back). */
  const prove = (hex: string) => {
    if (!isSeated) check.seated();
    isSeated = true;
    check.setCertificate({ fingerprint: fingerprint(hex) });
    check.customerChanged(null);
    check.customerChanged(CUST);
  };
  return { room, check, events, notices, sent, prove };
}

describe("the customer's side of the room", () => {
  it("trusts a technician once their handshake confirmed, keeping the person's check of the code for the same certificate only", async () => {
    const { room, events, notices, prove } = stage();
    room.receive({ type: "peerJoined", peer: technician });
    expect(room.trusted(TECH)).toBeUndefined();
    prove("02");
    await vi.waitFor(() => expect(room.trusted(TECH)).toBeDefined());
    const first = room.trusted(TECH)?.verification;
    expect(first).toEqual({ code: expect.any(String), isMatched: false });
    expect(notices).toEqual([null]);
    expect(events).toEqual(["peers tech-1", "peers tech-1"]);
    expect(room.confirmCode(TECH)).toEqual({ code: first?.code, isMatched: true });
    expect(room.confirmCode("someone-else")).toBeNull();

    // The same page proves again (its socket came back): the code and the person's check of it stay.
    prove("02");
    await vi.waitFor(() => expect(notices).toHaveLength(2));
    expect(room.trusted(TECH)?.verification).toEqual({ code: first?.code, isMatched: true });
    // A new page (a new certificate): a new code, not yet checked.
    prove("03");
    await vi.waitFor(() => expect(notices).toHaveLength(3));
    expect(room.trusted(TECH)?.verification.isMatched).toBe(false);
    expect(room.trusted(TECH)?.verification.code).not.toBe(first?.code);
  });

  it("trusts nobody whose handshake failed, and says so", async () => {
    const wrong = prsOfLinkSecret(newLinkSecret()) ?? new Uint8Array();
    const { room, notices, prove } = stage(wrong);
    room.receive({ type: "peerJoined", peer: technician });
    prove("02");
    await vi.waitFor(() => expect(notices).toEqual([{ code: "handshakeFailed" }]));
    expect(room.trusted(TECH)).toBeUndefined();
  });

  it("hands a leaving technician to its side while still trusted, then forgets them", async () => {
    const { room, events, prove } = stage();
    room.receive({ type: "peerJoined", peer: technician });
    prove("02");
    await vi.waitFor(() => expect(room.trusted(TECH)).toBeDefined());
    room.receive({ type: "peerGone", id: TECH });
    expect(events.slice(-2)).toEqual(["gone tech-1 trusted", "peers "]);
    expect(room.trusted(TECH)).toBeUndefined();
  });

  it("ends only on an interception notice from a trusted technician, and sends its own to them", async () => {
    const { room, events, sent, prove } = stage();
    room.receive({ type: "peerJoined", peer: technician });
    room.receive({ type: "keyExchange", from: TECH, payload: "QUJD" });
    prove("02");
    await vi.waitFor(() => expect(room.trusted(TECH)).toBeDefined());
    const confirmed = room.trusted(TECH)?.confirmed;
    if (!confirmed) throw new Error("not trusted");
    room.receive({ type: "keyExchange", from: TECH, payload: "QUJD" });
    expect(events.filter((e) => e.startsWith("ended"))).toEqual([]);
    room.receive({ type: "keyExchange", from: TECH, payload: interceptNotice(confirmed) });
    expect(events.at(-1)).toBe("ended intercepted");

    room.sayIntercepted(TECH);
    room.sayIntercepted("someone-else");
    expect(sent.filter((m) => m.type === "keyExchange")).toEqual([
      { type: "keyExchange", to: TECH, payload: interceptNotice(confirmed) },
    ]);
  });

  it("passes the room's other frames on by what they mean, and leaves the technician's own errors alone", () => {
    const { room, events, notices } = stage();
    room.receive({ type: "answer", from: TECH, link: "L1", sdp: "v=0" });
    room.receive({ type: "candidate", from: TECH, link: "L1", candidate: null });
    room.receive({ type: "offer", from: TECH, link: "L1", sdp: "v=0" });
    room.receive({ type: "ownerChanged", id: "tech-2" });
    room.receive({ type: "extended", expiresAt: 1_234, canExtend: true });
    room.receive({ type: "ended", reason: "expired" });
    room.receive({ type: "handshakeThrottled", failures: 3, retryAt: 5_000 });
    room.receive({ type: "error", code: "HANDSHAKE_REQUIRED", message: "first the handshake" });
    room.receive({ type: "error", code: "PEER_NOT_FOUND", message: "gone" });
    room.receive({ type: "error", code: "RATE_LIMITED", message: "Too many messages; slow down." });
    expect(events).toEqual([
      "signal answer tech-1",
      "signal candidate tech-1",
      "owner tech-2",
      "extended 1234",
      "ended expired",
    ]);
    expect(notices).toEqual([
      { code: "throttled", failures: 3, retryAt: 5_000 },
      { code: "server", error: "RATE_LIMITED", message: "Too many messages; slow down." },
    ]);
  });

  it("forgets a technician the customer removed: neither listed nor trusted", async () => {
    const { room, prove } = stage();
    room.receive({ type: "peerJoined", peer: technician });
    prove("02");
    await vi.waitFor(() => expect(room.trusted(TECH)).toBeDefined());
    room.forget(TECH);
    expect(room.roster).toEqual([]);
    expect(room.trusted(TECH)).toBeUndefined();
  });
});
