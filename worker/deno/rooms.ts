import type { ErrorCode } from "#protocol/errors.ts";
import { RoomHost } from "../../durable-objects/session/RoomHost.ts";
import {
  type Attachment,
  KEEPALIVE_REQUEST,
  KEEPALIVE_RESPONSE,
  type RoomAlarm,
  type RoomServices,
  type RoomSocket,
} from "../../durable-objects/session/room-runtime.ts";
import type { JoinRequest } from "../../durable-objects/session/seats.ts";
import { closeQuietly, refuse, sendQuietly } from "../../durable-objects/session/socket-io.ts";
import type { RoomHandle } from "../host.ts";
import { log } from "../log.ts";
import { AlarmClock } from "./alarm-clock.ts";
import type { RoomStore } from "./room-store.ts";
import { DenoSocketBase } from "./socket.ts";

/** A failed alarm (the end could not be recorded) runs again after this long. */
const ALARM_RETRY_MS = 10_000;

/** A Deno WebSocket as a room socket (socket.ts), with its last keep-alive. */
class DenoSocket extends DenoSocketBase<Attachment> implements RoomSocket {
  lastPingAt: number | null = null;

  constructor(
    ws: WebSocket,
    private readonly room: LiveRoom,
  ) {
    super(ws);
  }

  protected received(data: string | ArrayBuffer): void {
    this.room.received(this, data);
  }

  protected closed(): void {
    this.room.closed(this);
  }
}

/** Upgrades `request` to a socket that says why it cannot join, then closes with 1008. */
export function refuseSocket(request: Request, code: ErrorCode, message: string): Response {
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.addEventListener("open", () => refuse(socket, code, message));
  return response;
}

/** A room's alarm: its time is stored, so that a restart sets it again, and kept by the host's one AlarmClock. */
class RoomTimer implements RoomAlarm {
  constructor(
    private readonly room: LiveRoom,
    private readonly clock: AlarmClock<RoomTimer>,
    private readonly store: RoomStore,
  ) {}

  async get(): Promise<number | null> {
    return this.clock.get(this);
  }

  async set(at: number): Promise<void> {
    this.store.saveAlarm(this.room.code, at);
    this.clock.set(this, at);
  }

  async delete(): Promise<void> {
    this.store.saveAlarm(this.room.code, null);
    this.clock.delete(this);
  }

  /** Runs the room's alarm (the clock has already forgotten its time: a running alarm counts as spent). */
  async wake(): Promise<void> {
    try {
      await this.room.run(() => this.room.alarmed());
    } catch (err) {
      log({ event: "unhandled_error", path: "alarm", name: "AlarmError", message: String(err).slice(0, 200) });
      if (this.clock.get(this) === null) await this.set(Date.now() + ALARM_RETRY_MS);
    }
  }
}

/** One room in this process: its RoomHost, its sockets, its alarm, and a queue that runs its events one at a time. */
class LiveRoom {
  readonly sockets = new Set<DenoSocket>();
  readonly host: RoomHost<DenoSocket>;
  readonly alarm: RoomTimer;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly code: string,
    private readonly rooms: Rooms,
    clock: AlarmClock<RoomTimer>,
    store: RoomStore,
    services: RoomServices,
  ) {
    this.alarm = new RoomTimer(this, clock, store);
    this.host = new RoomHost<DenoSocket>({
      ...services,
      sockets: () => this.sockets,
      attachment: (ws) => ws.attachment,
      attach: (ws, attachment) => {
        ws.attachment = attachment;
      },
      lastPingAt: () => {
        let latest: number | null = null;
        for (const ws of this.sockets) {
          if (ws.lastPingAt !== null) latest = Math.max(latest ?? ws.lastPingAt, ws.lastPingAt);
        }
        return latest;
      },
      storage: store.storage(code),
      alarm: this.alarm,
      now: () => Date.now(),
    });
  }

  /**
   * Runs `task` after every earlier event of this room has finished: a Durable Object also handles one event at a
   * time, and the room's logic is written for that.
   */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Upgrades `request` and hands the socket to the room as `who` from `clientKey`, unless the room refuses it. */
  connect(request: Request, who: JoinRequest, clientKey: string): Promise<Response> {
    return this.run(() => this.admit(request, who, clientKey));
  }

  /** A frame from `ws`. Keep-alives are answered here, like a Durable Object's auto-response, without the room. */
  received(ws: DenoSocket, data: string | ArrayBuffer): void {
    if (data === KEEPALIVE_REQUEST) {
      ws.lastPingAt = Date.now();
      ws.send(KEEPALIVE_RESPONSE);
      return;
    }
    this.run(() => this.host.message(ws, data)).catch((err) => this.fail(ws, err));
  }

  /** `ws` has closed. */
  closed(ws: DenoSocket): void {
    this.sockets.delete(ws);
    this.run(() => this.host.closed(ws)).catch((err) => this.fail(ws, err));
  }

  /** The alarm's work; a room whose session is gone is dropped from memory afterwards. */
  async alarmed(): Promise<void> {
    await this.host.alarm();
    if (!this.host.hasSession) this.rooms.purged(this);
  }

  /** Closes every socket, at shutdown (the stored alarm carries over to the next start). */
  stop(): void {
    for (const ws of this.sockets) ws.close(1001, "Server restarting");
  }

  private async admit(request: Request, who: JoinRequest, clientKey: string): Promise<Response> {
    const admission = await this.host.admit();
    if (!admission.ok) return refuseSocket(request, admission.code, admission.message);
    const { socket, response } = Deno.upgradeWebSocket(request);
    const ws = new DenoSocket(socket, this);
    this.sockets.add(ws);
    await this.host.accepted(ws, who, clientKey);
    return response;
  }

  private fail(ws: DenoSocket, err: unknown): void {
    log({ event: "unhandled_error", path: `room/${this.code}`, name: "RoomError", message: String(err).slice(0, 200) });
    sendQuietly(ws, { type: "error", code: "INTERNAL", message: "Something went wrong; reconnect." });
    closeQuietly(ws, 1011, "Internal error");
  }
}

/**
 * All rooms of the Deno host, in this process. Stored rooms are loaded and their alarms set at start; a room stays
 * in memory until its storage is purged, a day after it ends.
 */
export class Rooms {
  private readonly live = new Map<string, LiveRoom>();
  /** One timer for every room's alarm. */
  private readonly clock = new AlarmClock<RoomTimer>((timer) => void timer.wake());

  /** `services` are the sessions table's records and the host's rate-limit buckets, shared by every room. */
  constructor(
    private readonly store: RoomStore,
    private readonly services: RoomServices,
  ) {}

  /** Loads every stored room: seats whose sockets were lost with the last process are held for their grace. */
  async start(): Promise<void> {
    for (const { code, alarmAt } of this.store.list()) {
      const room = this.add(code, alarmAt);
      await room.run(() => room.host.start());
    }
  }

  /** How many rooms are in memory. */
  get size(): number {
    return this.live.size;
  }

  /** The handle the routes use for `code`. */
  handle(code: string): RoomHandle {
    return {
      create: async (input) => {
        const room = this.live.get(code) ?? this.add(code, null);
        const result = await room.run(() => room.host.create(input));
        if (!room.host.hasSession) this.live.delete(code);
        return result;
      },
      info: async (customerKeyHash) => {
        const room = this.live.get(code);
        if (!room) return { ok: false, code: "SESSION_NOT_FOUND", message: "There is no session with this code." };
        return room.run(() => room.host.info(customerKeyHash));
      },
      connect: async (request, who, clientKey) => {
        const room = this.live.get(code);
        if (!room) return refuseSocket(request, "SESSION_NOT_FOUND", "There is no session with this code.");
        return room.connect(request, who, clientKey);
      },
    };
  }

  /** Closes every socket and stops the alarms' timer; stored rooms and alarms carry over to the next start. */
  stop(): void {
    this.clock.stop();
    for (const room of this.live.values()) room.stop();
  }

  /** Drops a room whose storage has been purged from memory. */
  purged(room: LiveRoom): void {
    if (this.live.get(room.code) === room) this.live.delete(room.code);
  }

  private add(code: string, alarmAt: number | null): LiveRoom {
    const room = new LiveRoom(code, this, this.clock, this.store, this.services);
    if (alarmAt !== null) this.clock.set(room.alarm, alarmAt);
    this.live.set(code, room);
    return room;
  }
}
