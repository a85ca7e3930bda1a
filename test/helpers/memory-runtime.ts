import type { AuditInput } from "#protocol/audit.ts";
import type { ClientMessage, ServerMessage } from "#protocol/room.ts";
import { type Bucket, perMinute, take } from "../../durable-objects/rate-limit/bucket.ts";
import { RoomHost } from "../../durable-objects/session/RoomHost.ts";
import { formatRoomRecord, readRoomRecord } from "../../durable-objects/session/room-record.ts";
import type {
  Attachment,
  CreateRoomInput,
  RoomAlarm,
  RoomRuntime,
  RoomSocket,
  RoomStorage,
} from "../../durable-objects/session/room-runtime.ts";
import type { JoinRequest } from "../../durable-objects/session/seats.ts";
import type { Room } from "../../durable-objects/session/state.ts";
import { pake } from "./handshake.ts";
import { SEAT_KEY } from "./room-fixtures.ts";

// A third runtime for RoomHost, beside the Durable Object and the Deno host: everything in memory, on a clock the
// test moves. Storage keeps the room as the same checked record the real hosts write, the alarm fires only when
// the clock passes it (and is retried when it throws, as on Workers), and sockets record what they are sent.

/** A throwing alarm runs again this long after (Workers retries with a backoff; the Deno host after 10 s). */
export const ALARM_RETRY_MS = 10_000;

/** A socket as the room sees it, recording every frame and its close. */
export class MemorySocket implements RoomSocket {
  attachment: Attachment | null = null;
  /** When the client last sent a keep-alive, answered by the runtime without the room. */
  lastPingAt: number | null = null;
  readonly frames: ServerMessage[] = [];
  closedWith: { code: number; reason: string } | null = null;

  constructor(private readonly onClose: (ws: MemorySocket) => void) {}

  send(text: string): void {
    if (this.closedWith) throw new Error("send() after close()");
    this.frames.push(JSON.parse(text) as ServerMessage);
  }

  close(code: number, reason: string): void {
    if (this.closedWith) throw new Error("close() twice");
    this.closedWith = { code, reason };
    this.onClose(this);
  }

  /** Frames of one type received so far. */
  received<T extends ServerMessage["type"]>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.frames.filter((f): f is Extract<ServerMessage, { type: T }> => f.type === type);
  }

  /** Removes and returns every frame received so far. */
  take(): ServerMessage[] {
    return this.frames.splice(0);
  }
}

/** The room's record, kept as the same JSON text the hosts store. */
class MemoryStorage implements RoomStorage {
  record: string | null = null;
  writes = 0;

  load(): Room | null {
    return this.record === null ? null : readRoomRecord(this.record);
  }

  saveRoom(room: Room): void {
    this.record = formatRoomRecord(room);
    this.writes++;
  }

  async deleteAll(): Promise<void> {
    this.record = null;
  }
}

class MemoryAlarm implements RoomAlarm {
  at: number | null = null;

  async get(): Promise<number | null> {
    return this.at;
  }

  async set(at: number): Promise<void> {
    this.at = at;
  }

  async delete(): Promise<void> {
    this.at = null;
  }
}

/** Everything a room needs, in memory; the test owns the clock and the sessions table's answers. */
export class MemoryRuntime implements RoomRuntime<MemorySocket> {
  time: number;
  readonly open = new Set<MemorySocket>();
  readonly storage = new MemoryStorage();
  readonly alarm = new MemoryAlarm();
  /** Ends recorded in the (stand-in) sessions table. */
  readonly ends: { code: string; endedAt: number }[] = [];
  /** How many of the next recordEnd calls fail, as an unreachable D1 would. */
  endFailures = 0;
  /** Owners recorded in the (stand-in) sessions table. */
  readonly owners: { code: string; technicianId: string }[] = [];
  /** How many of the next recordOwner calls fail. */
  ownerFailures = 0;
  /** Extended expiries written to the (stand-in) sessions table. */
  readonly expiries: { code: string; expiresAt: number }[] = [];
  /** How many of the next recordExpiry calls fail. */
  expiryFailures = 0;
  /** Sessions whose row the room deleted from the (stand-in) sessions table. */
  readonly forgotten: string[] = [];
  /** How many of the next forgetSession calls fail. */
  forgetFailures = 0;
  /** Every bucket hit, in order, and the buckets themselves: the hosts' token buckets on the test's clock. */
  readonly hits: { key: string; scope: string; limitPerMinute: number; allowed: boolean }[] = [];
  /** Sign-ins the (stand-in) sign-ins table no longer holds: signed out, or their passkey or technician removed. */
  readonly revokedSignIns = new Set<string>();
  /** Every sign-in check the room asked for, in order. */
  readonly signInChecks: string[][] = [];
  /** How many of the next sign-in checks fail, as an unreachable D1 would. */
  signInCheckFailures = 0;
  /** Sockets the room closed whose close the runtime has not reported back to it yet. */
  readonly closing: MemorySocket[] = [];
  /**
   * Whether peers answer the room's closes. When false, a socket the room closed stays among `sockets()` and its
   * close is never reported, as workerd lists a socket until the peer's Close frame arrives and a hostile peer never
   * sends one.
   */
  peersAnswerCloses = true;
  /** Audit entries the room appended, in order. */
  readonly audits: AuditInput[] = [];
  /** How many of the next audit appends fail, as an unreachable log would. */
  auditFailures = 0;

  /** `buckets` may be shared between rooms, as a host's rate limits are. */
  constructor(
    now: number,
    readonly buckets = new Map<string, Bucket>(),
  ) {
    this.time = now;
  }

  async audit(input: AuditInput): Promise<number> {
    if (this.auditFailures > 0) {
      this.auditFailures--;
      throw new Error("audit log unreachable");
    }
    this.audits.push(input);
    return this.audits.length - 1;
  }

  sockets(): Iterable<MemorySocket> {
    return this.open;
  }

  attachment(ws: MemorySocket): Attachment | null {
    return ws.attachment;
  }

  attach(ws: MemorySocket, attachment: Attachment): void {
    ws.attachment = attachment;
  }

  lastPingAt(): number | null {
    let latest: number | null = null;
    for (const ws of this.open) {
      if (ws.lastPingAt !== null && (latest === null || ws.lastPingAt > latest)) latest = ws.lastPingAt;
    }
    return latest;
  }

  async recordEnd(code: string, endedAt: number): Promise<void> {
    if (this.endFailures > 0) {
      this.endFailures--;
      throw new Error("D1_ERROR: network connection lost");
    }
    this.ends.push({ code, endedAt });
  }

  async recordOwner(code: string, technicianId: string): Promise<void> {
    if (this.ownerFailures > 0) {
      this.ownerFailures--;
      throw new Error("D1_ERROR: network connection lost");
    }
    this.owners.push({ code, technicianId });
  }

  async recordExpiry(code: string, expiresAt: number): Promise<void> {
    if (this.expiryFailures > 0) {
      this.expiryFailures--;
      throw new Error("D1_ERROR: network connection lost");
    }
    this.expiries.push({ code, expiresAt });
  }

  async forgetSession(code: string): Promise<void> {
    if (this.forgetFailures > 0) {
      this.forgetFailures--;
      throw new Error("D1_ERROR: network connection lost");
    }
    this.forgotten.push(code);
  }

  async hit(key: string, scope: string, limitPerMinute: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const id = `${scope} ${key}`;
    const result = take(this.buckets.get(id), perMinute(limitPerMinute), this.time);
    this.buckets.set(id, result.bucket);
    this.hits.push({ key, scope, limitPerMinute, allowed: result.allowed });
    return { allowed: result.allowed, retryAfterMs: result.retryAfterMs };
  }

  async liveSignIns(ids: readonly string[]): Promise<Set<string>> {
    this.signInChecks.push([...ids]);
    if (this.signInCheckFailures > 0) {
      this.signInCheckFailures--;
      throw new Error("D1_ERROR: network connection lost");
    }
    return new Set(ids.filter((id) => !this.revokedSignIns.has(id)));
  }

  now(): number {
    return this.time;
  }

  /** A new socket, open and not yet handed to a room. */
  socket(): MemorySocket {
    const ws = new MemorySocket((closed) => {
      if (!this.peersAnswerCloses) return;
      this.open.delete(closed);
      this.closing.push(closed);
    });
    this.open.add(ws);
    return ws;
  }
}

/**
 * One room on a MemoryRuntime, driven the way a host drives it: one event at a time, closes the room makes
 * reported back as the peer's close arrives, alarms fired as the clock passes them, and `restart` dropping memory
 * as hibernation or eviction does.
 */
export class MemoryRoom {
  readonly runtime: MemoryRuntime;
  host: RoomHost<MemorySocket>;
  /** Errors the alarm threw, in order. */
  readonly alarmErrors: unknown[] = [];

  /** `buckets`: the host's rate-limit buckets, to share them with another room. */
  constructor(now: number, buckets?: Map<string, Bucket>) {
    this.runtime = new MemoryRuntime(now, buckets);
    this.host = new RoomHost(this.runtime);
  }

  /**
   * A room made at `now` with `settings`, its `owner` and `customer` seated, the owner's handshake confirmed, and
   * their frames so far cleared.
   */
  static async withPair(
    now: number,
    settings: Omit<CreateRoomInput, "now">,
    owner: JoinRequest,
    customer: JoinRequest,
  ) {
    const room = new MemoryRoom(now);
    await room.create(settings);
    const tech = await room.join(owner);
    const seated = await room.join(customer);
    await room.handshake(tech, seated);
    tech.ws.take();
    seated.ws.take();
    return { room, tech, customer: seated };
  }

  get now(): number {
    return this.runtime.time;
  }

  create(settings: Omit<CreateRoomInput, "now">) {
    return this.host.create({ ...settings, now: this.now });
  }

  /**
   * A socket the room admitted and accepted for `who` from the address key `clientKey`, not yet seated; null when
   * the room refused it.
   */
  async connect(who: JoinRequest, clientKey = "192.0.2.1"): Promise<MemorySocket | null> {
    const admission = await this.host.admit();
    if (!admission.ok) return null;
    const ws = this.runtime.socket();
    await this.host.accepted(ws, who, clientKey);
    return ws;
  }

  /**
   * Connects and says hello (resuming with `resume` if given, a customer with the fixtures' seat key unless another
   * is given); returns the socket and its welcome.
   */
  async join(who: JoinRequest, resume?: string, options: { seatKey?: string; clientKey?: string } = {}) {
    const ws = await this.connect(who, options.clientKey);
    if (!ws) throw new Error("The room refused the socket");
    const seatKey = who.role === "customer" ? (options.seatKey ?? SEAT_KEY) : undefined;
    const capture = who.role === "customer" ? who.capture : undefined;
    await this.send(ws, {
      type: "hello",
      version: 1,
      ...(resume ? { resume } : {}),
      ...(seatKey ? { seatKey } : {}),
      ...(capture ? { capture } : {}),
    });
    const welcome = ws.received("welcome")[0];
    if (!welcome) throw new Error(`No welcome: ${JSON.stringify(ws.frames)}`);
    return { ws, welcome };
  }

  async send(ws: MemorySocket, msg: ClientMessage): Promise<void> {
    await this.host.message(ws, JSON.stringify(msg));
    await this.reportCloses();
  }

  /**
   * The handshake's four frames between a technician and the customer, each after the one before arrived; `ok: false`
   * ends it with the customer's refusal. Throws if a frame did not reach the other side.
   */
  async handshake(
    tech: { ws: MemorySocket; welcome: { participantId: string } },
    customer: { ws: MemorySocket; welcome: { participantId: string } },
    ok = true,
  ): Promise<void> {
    const techId = tech.welcome.participantId;
    const customerId = customer.welcome.participantId;
    const steps: [MemorySocket, ClientMessage, MemorySocket][] = [
      [tech.ws, pake.start(customerId), customer.ws],
      [customer.ws, pake.reply(techId), tech.ws],
      [tech.ws, pake.finish(customerId), customer.ws],
      [customer.ws, pake.result(techId, ok), tech.ws],
    ];
    for (const [from, msg, to] of steps) {
      const before = to.received(msg.type as ServerMessage["type"]).length;
      await this.send(from, msg);
      if (to.received(msg.type as ServerMessage["type"]).length !== before + 1) {
        throw new Error(`${msg.type} was not relayed: ${JSON.stringify(from.frames.at(-1))}`);
      }
    }
  }

  /** The handshake from its second frame on, after `tech`'s start already reached the customer. */
  async handshakeFrom(
    tech: { ws: MemorySocket; welcome: { participantId: string } },
    customer: { ws: MemorySocket; welcome: { participantId: string } },
  ): Promise<void> {
    await this.send(customer.ws, pake.reply(tech.welcome.participantId));
    await this.send(tech.ws, pake.finish(customer.welcome.participantId));
    await this.send(customer.ws, pake.result(tech.welcome.participantId));
  }

  /** The client sends a keep-alive, which the runtime answers on its own. */
  ping(ws: MemorySocket): void {
    ws.lastPingAt = this.now;
  }

  /** The client goes away (a reload, a lost network). */
  async drop(ws: MemorySocket): Promise<void> {
    this.runtime.open.delete(ws);
    ws.closedWith ??= { code: 1006, reason: "" };
    await this.host.closed(ws);
    await this.reportCloses();
  }

  /** Moves the clock forward by `ms`, firing the alarm each time the clock reaches it. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (let fired = 0; this.runtime.alarm.at !== null && this.runtime.alarm.at <= until; fired++) {
      if (fired > 10_000) throw new Error("The alarm keeps firing");
      this.runtime.time = Math.max(this.now, this.runtime.alarm.at);
      await this.fireAlarm();
    }
    this.runtime.time = until;
  }

  /** Memory is lost (hibernation, eviction): a new RoomHost rebuilds from storage and the sockets' attachments. */
  async restart(): Promise<void> {
    this.host = new RoomHost(this.runtime);
    await this.host.start();
    await this.reportCloses();
  }

  /** A running alarm is spent; one that throws is tried again after ALARM_RETRY_MS unless it set another. */
  private async fireAlarm(): Promise<void> {
    this.runtime.alarm.at = null;
    try {
      await this.host.alarm();
    } catch (err) {
      this.alarmErrors.push(err);
      this.runtime.alarm.at ??= this.now + ALARM_RETRY_MS;
    }
    await this.reportCloses();
  }

  private async reportCloses(): Promise<void> {
    for (let ws = this.runtime.closing.shift(); ws; ws = this.runtime.closing.shift()) await this.host.closed(ws);
  }
}
