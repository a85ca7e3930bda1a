import type { ControlMessage } from "#protocol/control.ts";
import type { ClientMessage, Peer, SignalMessage } from "#protocol/room.ts";
import type { RelayedSignal } from "../rtc/PeerLink.ts";
import { type LinkTrust, OwnerLink } from "./OwnerLink.ts";

/** A technician beside the owner whose handshake this page confirmed, and whether the customer let them in. */
export type Colleague = { peer: Peer; isAdmitted: boolean };

export type ColleagueEvents = {
  send(msg: ClientMessage): boolean;
  sendSignal(msg: SignalMessage): boolean;
  /** What a colleague's page should hear as soon as its control channel opens (what is shared, and so on). */
  onControlOpen(send: (msg: ControlMessage) => boolean): void;
  /** A colleague's end showed a certificate other than the authenticated one. */
  onIntercepted(): void;
};

/**
 * The customer's side of colleagues: technicians the owner invited, whom this page lets in one by one. A colleague's
 * page gets nothing until the customer allowed them (`admit`) and their handshake confirmed; then a connection of its
 * own (an OwnerLink: same screen, same certificate check) carrying the same picture and what the customer says on the
 * control channel. Remove closes that connection at once and has the room drop the seat for good.
 */
export class Colleagues {
  readonly #code: string;
  readonly #seatProof: Record<string, string>;
  readonly #events: ColleagueEvents;
  readonly #admitted = new Set<string>();
  readonly #links = new Map<string, OwnerLink>();

  constructor(code: string, seatProof: Record<string, string>, events: ColleagueEvents) {
    this.#code = code;
    this.#seatProof = seatProof;
    this.#events = events;
  }

  /** Whether the customer let this technician in. */
  isAdmitted(id: string): boolean {
    return this.#admitted.has(id);
  }

  /** The customer allows a colleague: the room lets their signals pass from now on. */
  admit(id: string): void {
    if (this.#admitted.has(id)) return;
    this.#admitted.add(id);
    this.#events.send({ type: "admit", id });
  }

  /** A hand-over: the former owner, whom the customer had let in, stays in as a colleague. */
  keep(id: string): void {
    this.#admitted.add(id);
  }

  /** The customer takes a colleague out (or does not let them in): their connection closes now, the room drops them. */
  remove(id: string): void {
    this.#events.send({ type: "remove", id });
    this.gone(id);
  }

  /** The colleague left the room for good. */
  gone(id: string): void {
    this.#admitted.delete(id);
    this.#links.get(id)?.stop();
    this.#links.delete(id);
  }

  /**
   * Keeps a connection sending `track` to every admitted colleague in `trusted` (those connected whose handshake this
   * page confirmed, with the trust it gave), and none to anyone else.
   */
  async sync(trusted: ReadonlyMap<string, LinkTrust>, track: MediaStreamTrack | null): Promise<void> {
    for (const [id, link] of this.#links) {
      if (!trusted.has(id) || !this.#admitted.has(id)) {
        link.stop();
        this.#links.delete(id);
      }
    }
    const synced: Promise<void>[] = [];
    for (const [id, trust] of trusted) {
      if (!this.#admitted.has(id)) continue;
      synced.push(this.#linkTo(id).sync(id, track, trust));
    }
    await Promise.all(synced);
  }

  /** Swaps what every colleague's connection sends (pause, resume, another screen). */
  async setTrack(track: MediaStreamTrack | null): Promise<void> {
    await Promise.all([...this.#links.values()].map((link) => link.setTrack(track)));
  }

  /** Says `msg` on every colleague's control channel. */
  sendControl(msg: ControlMessage): void {
    for (const link of this.#links.values()) link.sendControl(msg);
  }

  /** An answer or candidate from a colleague's page. */
  handleSignal(msg: RelayedSignal): void {
    this.#links.get(msg.from)?.handleSignal(msg);
  }

  /** Closes every colleague's connection for good. */
  stop(): void {
    for (const link of this.#links.values()) link.stop();
    this.#links.clear();
  }

  #linkTo(id: string): OwnerLink {
    const existing = this.#links.get(id);
    if (existing) return existing;
    const ignore = () => {};
    let link: OwnerLink | null = null;
    const created = new OwnerLink(this.#code, this.#seatProof, {
      sendSignal: (msg) => this.#events.sendSignal(msg),
      onState: ignore,
      onStats: ignore,
      onRelayFailure: ignore,
      onControlOpen: () => this.#events.onControlOpen((msg) => link?.sendControl(msg) ?? false),
      // What a colleague says or sends is not taken in yet: they watch, the owner talks to the customer.
      onControl: ignore,
      onPointer: ignore,
      onFileChunk: ignore,
      onVoice: ignore,
      onIceError: ignore,
      onIntercepted: () => this.#events.onIntercepted(),
    });
    link = created;
    this.#links.set(id, created);
    return created;
  }
}
