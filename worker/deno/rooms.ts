import type { ErrorCode } from "#protocol/errors.ts";
import { RoomHost } from "../../durable-objects/session/RoomHost.ts";
import {
  type Attachment,
  KEEPALIVE_REQUEST,
  KEEPALIVE_RESPONSE,
  type RoomAlarm,
  type RoomSocket,
} from "../../durable-objects/session/room-runtime.ts";
import type { JoinRequest } from "../../durable-objects/session/seats.ts";
import { closeQuietly, refuse, sendQuietly } from "../../durable-objects/session/socket-io.ts";
import type { RoomHandle } from "../host.ts";
import { log } from "../log.ts";
import type { RoomStore } from "./room-store.ts";

/** Longest delay setTimeout takes; later alarms wake up early and wait again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A failed alarm (the end could not be recorded) runs again after this long. */
const ALARM_RETRY_MS = 10_000;

/** A Deno WebSocket as a room socket, with its attachment and last keep-alive. */
class DenoSocket implements RoomSocket {
  attachment: Attachment | null = null;
  lastPingAt: number | null = null;

  constructor(readonly ws: WebSocket) {}

  send(text: string): void {
    this.ws.send(text);
  }

  close(code: number, reason: string): void {
    // A socket is handed to the room before its handshake completes; closing it then must wait for the open.
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.addEventListener("open", () => this.ws.close(code, reason), { once: true });
    } else {
      this.ws.close(code, reason);
    }
  }
}

/** Upgrades `request` to a socket that says why it cannot join, then closes with 1008. */
export function refuseSocket(request: Request, code: ErrorCode, message: string): Response {
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.addEventListener("open", () => refuse(socket, code, message));
  return response;
}

/** A setTimeout-backed alarm whose time is also stored, so that a restart sets it again. */
class TimerAlarm implements RoomAlarm {
  private at: number | null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    at: number | null,
    private readonly save: (at: number | null) => void,
    private readonly fire: () => Promise<void>,
  ) {
    this.at = at;
    if (at !== null) this.schedule(at);
  }

  async get(): Promise<number | null> {
    return this.at;
  }

  async set(at: number): Promise<void> {
    this.at = at;
    this.save(at);
    this.schedule(at);
  }

  async delete(): Promise<void> {
    this.at = null;
    this.save(null);
    clearTimeout(this.timer);
  }

  /** Stops the timer without forgetting the stored time (at shutdown). */
  stop(): void {
    clearTimeout(this.timer);
  }

  private schedule(at: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(at), Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS));
  }

  private async wake(at: number): Promise<void> {
    if (Date.now() < at) return this.schedule(at);
    // A running alarm counts as spent, as on Durable Objects: the room sets the next one itself.
    this.at = null;
    try {
      await this.fire();
    } catch (err) {
      log({ event: "unhandled_error", path: "alarm", name: "AlarmError", message: String(err).slice(0, 200) });
      if (this.at === null) await this.set(Date.now() + ALARM_RETRY_MS);
    }
  }
}

/** One room in this process: its RoomHost, its sockets, its alarm, and a queue that runs its events one at a time. */
class LiveRoom {
  readonly sockets = new Set<DenoSocket>();
  readonly host: RoomHost<DenoSocket>;
  readonly alarm: TimerAlarm;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly code: string,
    store: RoomStore,
    alarmAt: number | null,
    recordEnd: (code: string, endedAt: number) => Promise<void>,
    private readonly onPurged: (room: LiveRoom) => void,
  ) {
    this.alarm = new TimerAlarm(
      alarmAt,
      (at) => store.saveAlarm(code, at),
      () => this.run(() => this.alarmed()),
    );
    this.host = new RoomHost<DenoSocket>({
      sockets: () => this.sockets,
      attachment: (ws) => ws.attachment,
      attach: (ws, attachment) => {
        ws.attachment = attachment;
      },
      lastPingAt: () => {
        const pings = [...this.sockets].flatMap((ws) => (ws.lastPingAt === null ? [] : [ws.lastPingAt]));
        return pings.length > 0 ? Math.max(...pings) : null;
      },
      storage: store.storage(code),
      alarm: this.alarm,
      recordEnd,
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

  /** Upgrades `request` and hands the socket to the room as `who`, unless the room refuses it. */
  connect(request: Request, who: JoinRequest): Promise<Response> {
    return this.run(async () => {
      const admission = await this.host.admit();
      if (!admission.ok) return refuseSocket(request, admission.code, admission.message);
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.binaryType = "arraybuffer";
      const ws = new DenoSocket(socket);
      this.sockets.add(ws);
      socket.addEventListener("message", (event) => {
        // Keep-alives are answered here, like a Durable Object's auto-response, without involving the room.
        if (event.data === KEEPALIVE_REQUEST) {
          ws.lastPingAt = Date.now();
          ws.send(KEEPALIVE_RESPONSE);
          return;
        }
        const data = event.data as string | ArrayBuffer;
        this.run(() => this.host.message(ws, data)).catch((err) => this.fail(ws, err));
      });
      socket.addEventListener("close", () => {
        this.sockets.delete(ws);
        this.run(() => this.host.closed(ws)).catch((err) => this.fail(ws, err));
      });
      await this.host.accepted(ws, who);
      return response;
    });
  }

  /** Stops the alarm's timer (the stored time stays) and closes every socket, at shutdown. */
  stop(): void {
    this.alarm.stop();
    for (const ws of this.sockets) ws.close(1001, "Server restarting");
  }

  private async alarmed(): Promise<void> {
    await this.host.alarm();
    if (!this.host.hasSession) this.onPurged(this);
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

  constructor(
    private readonly store: RoomStore,
    private readonly recordEnd: (code: string, endedAt: number) => Promise<void>,
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
      info: async () => {
        const room = this.live.get(code);
        if (!room) return { ok: false, code: "SESSION_NOT_FOUND", message: "There is no session with this code." };
        return room.run(() => room.host.info());
      },
      connect: async (request, who) => {
        const room = this.live.get(code);
        if (!room) return refuseSocket(request, "SESSION_NOT_FOUND", "There is no session with this code.");
        return room.connect(request, who);
      },
    };
  }

  /** Closes every socket and stops every timer; stored rooms and alarms carry over to the next start. */
  stop(): void {
    for (const room of this.live.values()) room.stop();
  }

  private add(code: string, alarmAt: number | null): LiveRoom {
    const room = new LiveRoom(code, this.store, alarmAt, this.recordEnd, (purged) => {
      if (this.live.get(code) === purged) this.live.delete(code);
    });
    this.live.set(code, room);
    return room;
  }
}
