import {
  expireLines,
  type LineAttachment,
  type LineCheck,
  type LineSocket,
  type LineSockets,
  openLine,
  receiveLine,
  wakeLine,
} from "../../durable-objects/machine-line/line.ts";
import { closeQuietly } from "../../durable-objects/session/socket-io.ts";
import type { LineHandle } from "../host.ts";
import { log } from "../log.ts";
import { AlarmClock, realTimers, type Timers } from "./alarm-clock.ts";
import { DenoSocketBase } from "./socket.ts";

// Machines' lines on the Deno host (protocol/machines.ts), in this process: the same core as the MachineLine object
// (durable-objects/machine-line/line.ts), its sockets Deno's, the answers' deadlines one AlarmClock for every line.
// Nothing is stored: a restart drops every line, and each agent opens its own again.

/** A Deno WebSocket as a line's socket (socket.ts). */
class DenoLineSocket extends DenoSocketBase<LineAttachment> implements LineSocket {
  constructor(
    ws: WebSocket,
    private readonly line: LiveLine,
  ) {
    super(ws);
  }

  protected received(data: string | ArrayBuffer): void {
    this.line.received(this, data);
  }

  protected closed(): void {
    this.line.closed(this);
  }
}

/** One machine's line in this process: its sockets, lent to the core, while any is open. */
class LiveLine {
  readonly sockets = new Set<DenoLineSocket>();
  readonly line: LineSockets<DenoLineSocket> = {
    all: () => this.sockets,
    attachment: (ws) => ws.attachment,
    attach: (ws, attachment) => {
      ws.attachment = attachment;
    },
  };

  constructor(
    readonly machineId: string,
    private readonly lines: MachineLines,
  ) {}

  /** Upgrades `request` and hands the socket to the line; answers with the upgrade. */
  connect(request: Request, check: LineCheck, now: number): Response {
    const { socket, response } = Deno.upgradeWebSocket(request);
    const ws = new DenoLineSocket(socket, this);
    this.sockets.add(ws);
    this.lines.dueBy(this, openLine(this.line, ws, this.machineId, check, now));
    return response;
  }

  received(ws: DenoLineSocket, data: string | ArrayBuffer): void {
    try {
      receiveLine(this.line, ws, data, this.lines.now());
    } catch (err) {
      log({ event: "unhandled_error", path: "machine-line", name: "LineError", message: String(err).slice(0, 200) });
      closeQuietly(ws, 1011, "Internal error");
    }
  }

  closed(ws: DenoLineSocket): void {
    this.sockets.delete(ws);
    if (this.sockets.size === 0) this.lines.emptied(this);
  }

  /** The deadline's alarm: closes the sockets whose answer did not come, and waits for the next one due. */
  expire(): void {
    const next = expireLines(this.line, this.lines.now());
    if (next !== null) this.lines.dueBy(this, next);
  }

  /** Closes every socket, at shutdown. */
  stop(): void {
    for (const ws of this.sockets) closeQuietly(ws, 1001, "Server restarting");
  }
}

/** Every machine's line on the Deno host: in memory while a socket of it is open. */
export class MachineLines {
  private readonly live = new Map<string, LiveLine>();
  /** One timer for every line's earliest answer due. */
  private readonly clock: AlarmClock<LiveLine>;

  constructor(private readonly timers: Timers = realTimers) {
    this.clock = new AlarmClock<LiveLine>((line) => line.expire(), timers);
  }

  /** How many machines have a line open. */
  get size(): number {
    return this.live.size;
  }

  /** The handle the routes use for the machine `machineId`. */
  handle(machineId: string): LineHandle {
    return {
      connect: async (request, check) => {
        let line = this.live.get(machineId);
        if (!line) {
          line = new LiveLine(machineId, this);
          this.live.set(machineId, line);
        }
        return line.connect(request, check, this.now());
      },
      wake: async () => {
        const line = this.live.get(machineId);
        return line ? wakeLine(line.line) : 0;
      },
    };
  }

  now(): number {
    return this.timers.now();
  }

  /** Makes sure `line`'s alarm fires by `at`. */
  dueBy(line: LiveLine, at: number): void {
    const current = this.clock.get(line);
    if (current === null || at < current) this.clock.set(line, at);
  }

  /** Forgets a line whose last socket closed. */
  emptied(line: LiveLine): void {
    if (this.live.get(line.machineId) === line) this.live.delete(line.machineId);
    this.clock.delete(line);
  }

  /** Closes every line and stops the timer, at shutdown. */
  stop(): void {
    this.clock.stop();
    for (const line of this.live.values()) line.stop();
  }
}
