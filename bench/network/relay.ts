import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { seededRandom } from "../stats.ts";
import { type Crossing, createLink, type Link, type Outages } from "./impair.ts";

// A UDP relay in front of coturn on loopback: browsers are given its port as their TURN server, it forwards each
// client's datagrams to coturn from a socket of that client's own (so coturn sees one client per browser, as it
// would), and coturn's answers back. Every datagram is passed through impair.ts first: lost, or delayed in order.

/** A running relay. */
export type ImpairRelay = {
  port: number;
  /** What each crossing does from now on. */
  setCrossing(crossing: Crossing): void;
  /** Drops everything in both directions from now for `ms`; returns when it ends (ms since the epoch). */
  blackHole(ms: number): number;
  /** Datagrams seen and lost since the start. */
  counts(): { packets: number; lost: number };
  /** How late each datagram since the last call left, in ms past its time: this machine's share of the delay. */
  takeLateness(): number[];
  stop(): Promise<void>;
};

/** The relay's clock: wall-clock ms, the same as `performance.timeOrigin + now()` in the pages. */
const now = () => performance.timeOrigin + performance.now();

/** Sends datagrams when their time comes, in order; one timer for the head of the queue. */
function delayLine(link: Link, send: (data: Buffer) => void, recordLateness: (ms: number) => void) {
  const queue: { at: number; data: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    for (let head = queue[0]; head && head.at <= now() + 0.5; head = queue[0]) {
      queue.shift();
      recordLateness(now() - head.at);
      send(head.data);
    }
    if (queue[0]) timer = setTimeout(flush, queue[0].at - now());
  };
  return {
    /** Returns false when the datagram is lost. */
    push(data: Buffer): boolean {
      const at = link.decide(now());
      if (at === null) return false;
      queue.push({ at, data });
      if (timer === undefined) timer = setTimeout(flush, at - now());
      return true;
    },
    stop: () => clearTimeout(timer),
  };
}

/** Starts the relay on a free loopback port, forwarding to coturn's UDP port; `seed` fixes the losses' pattern. */
export async function startRelay(turnPort: number, seed: number): Promise<ImpairRelay> {
  let crossing: Crossing = { delayMs: 0, jitterMs: 0, loss: 0 };
  const outages: Outages = [];
  let packets = 0;
  let lost = 0;
  let flows = 0;
  let lateness: number[] = [];
  const late = (ms: number) => lateness.push(ms);
  const link = () => createLink(() => crossing, outages, seededRandom(seed + flows++));
  const front = createSocket("udp4");
  type Flow = { upstream: Socket; up: ReturnType<typeof delayLine>; down: ReturnType<typeof delayLine> };
  const clients = new Map<string, Flow>();

  const flowOf = (client: RemoteInfo): Flow => {
    const key = `${client.address}:${client.port}`;
    const existing = clients.get(key);
    if (existing) return existing;
    const upstream = createSocket("udp4");
    upstream.bind(0, "127.0.0.1");
    const flow: Flow = {
      upstream,
      up: delayLine(link(), (data) => upstream.send(data, turnPort, "127.0.0.1"), late),
      down: delayLine(link(), (data) => front.send(data, client.port, client.address), late),
    };
    upstream.on("message", (data) => count(flow.down.push(data)));
    clients.set(key, flow);
    return flow;
  };
  const count = (isSent: boolean) => {
    packets++;
    if (!isSent) lost++;
  };
  front.on("message", (data, client) => count(flowOf(client).up.push(data)));
  await new Promise<void>((resolve) => front.bind(0, "127.0.0.1", resolve));

  return {
    port: front.address().port,
    setCrossing(next) {
      crossing = next;
    },
    blackHole(ms) {
      const from = now();
      outages.push([from, from + ms]);
      return from + ms;
    },
    counts: () => ({ packets, lost }),
    takeLateness() {
      const taken = lateness;
      lateness = [];
      return taken;
    },
    async stop() {
      for (const flow of clients.values()) {
        flow.up.stop();
        flow.down.stop();
        flow.upstream.close();
      }
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
