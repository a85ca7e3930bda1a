// What the impairment relay decides for each packet, apart from any socket: whether it is lost and when it is
// delivered. Pure: the clock is the `now` passed in and randomness an injected source, so tests can pin both.

/** A network a customer has, end to end between the two browsers. */
export type NetworkProfile = {
  name: string;
  /** Round-trip time the network adds. */
  rttMs: number;
  /** Spread of the one-way delay: each packet gets ± up to half of this on each of its two relay crossings. */
  jitterMs: number;
  /** Fraction of packets lost end to end, each direction (0–1). */
  loss: number;
  /** The bottleneck's rate, each direction. */
  rateKbit: number;
};

/** The three lines of the issue; jitter is ours (about a tenth of the RTT: cable, DSL, then a mobile cell). */
export const PROFILES: NetworkProfile[] = [
  { name: "good", rttMs: 20, jitterMs: 2, loss: 0, rateKbit: 20_000 },
  { name: "poor", rttMs: 80, jitterMs: 10, loss: 0.01, rateKbit: 4_000 },
  { name: "bad", rttMs: 200, jitterMs: 30, loss: 0.03, rateKbit: 1_500 },
];

/** What one pass through the relay does to a packet. */
export type Crossing = { delayMs: number; jitterMs: number; loss: number };

/**
 * With both browsers relay-only, every media packet crosses the relay twice: on the sender's leg (browser → coturn)
 * and on the receiver's (coturn → browser), and so does every packet coming back. Each crossing therefore gets a
 * quarter of the RTT, half the jitter and the loss that, twice over, makes the profile's: 1 − √(1 − loss).
 */
export function perCrossing(profile: NetworkProfile): Crossing {
  return { delayMs: profile.rttMs / 4, jitterMs: profile.jitterMs / 2, loss: 1 - Math.sqrt(1 - profile.loss) };
}

/** Random numbers in [0, 1). */
export type Random = () => number;

/** Times when nothing gets through, as [from, until) in the same clock as `now`. */
export type Outages = [from: number, until: number][];

export function isDown(outages: Outages, now: number): boolean {
  return outages.some(([from, until]) => now >= from && now < until);
}

/** One direction of one flow: loses packets and delays the rest, in order, as a real path does. */
export type Link = {
  /** When a packet that arrives at `now` is to be sent on, or null if it is lost. */
  decide(now: number): number | null;
};

export function createLink(crossing: () => Crossing, outages: Outages, random: Random): Link {
  let last = Number.NEGATIVE_INFINITY;
  return {
    decide(now) {
      const { delayMs, jitterMs, loss } = crossing();
      if (isDown(outages, now)) return null;
      // Draw both numbers for every packet, so that one decision does not shift the next one's randomness.
      const isLost = random() < loss;
      const spread = (random() * 2 - 1) * jitterMs;
      if (isLost) return null;
      // Jitter without reordering: a packet never overtakes the one before it on the same path.
      last = Math.max(now + delayMs + spread, last);
      return last;
    },
  };
}

/** The queue limit of the bottleneck: 100 ms at its rate (a modest buffer), at least a few full packets. */
export function bufferBytes(rateKbit: number): number {
  return Math.max(Math.round((rateKbit * 1000 * 0.1) / 8), 6_000);
}

/**
 * The `tc` commands that put the bottleneck on `lo` for the relay's port: HTB, one class for packets to the port
 * (each browser's uplink) and one for packets from it (each browser's downlink), each at the profile's rate with a
 * byte-limited FIFO; everything else on loopback is unclassified and passes untouched (HTB's `default 0`).
 */
export function shapingCommands(port: number, rateKbit: number): string[][] {
  const limit = String(bufferBytes(rateKbit));
  const rate = `${rateKbit}kbit`;
  const commands = [["qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "0"]];
  for (const [minor, field] of [
    ["1", "dport"],
    ["2", "sport"],
  ] as const) {
    commands.push(
      ["class", "add", "dev", "lo", "parent", "1:", "classid", `1:${minor}`, "htb", "rate", rate, "ceil", rate],
      ["qdisc", "add", "dev", "lo", "parent", `1:${minor}`, "handle", `${minor}0:`, "bfifo", "limit", limit],
      [
        ...["filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", "1", "u32"],
        ...[
          "match",
          "ip",
          "protocol",
          "17",
          "0xff",
          "match",
          "ip",
          field,
          String(port),
          "0xffff",
          "flowid",
          `1:${minor}`,
        ],
      ],
    );
  }
  return commands;
}

/** The first frame shown live after an outage: the first one painted after the network came back. */
export function recoveryMs(frames: { painted: number; shown: number }[], outageEnd: number): number | null {
  const live = frames.find((f) => f.painted >= outageEnd);
  return live ? live.shown - outageEnd : null;
}
