import { describe, expect, it } from "vitest";
import {
  bufferBytes,
  createLink,
  isDown,
  type NetworkProfile,
  type Outages,
  PROFILES,
  perCrossing,
  recoveryMs,
  shapingCommands,
} from "../../bench/network/impair.ts";

/** A random source that returns `values` in turn, then repeats them. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
};

const poor = PROFILES.find((p) => p.name === "poor") as NetworkProfile;

describe("perCrossing", () => {
  it("splits the round trip over the four crossings of a relayed round trip", () => {
    expect(perCrossing(poor)).toMatchObject({ delayMs: 20, jitterMs: 5 });
  });

  it("loses, over two crossings, the profile's fraction end to end", () => {
    for (const profile of PROFILES) {
      const { loss } = perCrossing(profile);
      expect(1 - (1 - loss) ** 2).toBeCloseTo(profile.loss, 12);
    }
  });
});

describe("createLink", () => {
  const fixed = { delayMs: 10, jitterMs: 4, loss: 0.25 };

  it("delays by the crossing's delay plus jitter drawn from the random source", () => {
    // First draw decides loss (0.9 ≥ 0.25: kept), second the jitter: 0.75 → +0.5 × 4 ms.
    const link = createLink(() => fixed, [], sequence(0.9, 0.75));
    expect(link.decide(1_000)).toBe(1_012);
  });

  it("loses a packet when the draw falls under the loss", () => {
    const link = createLink(() => fixed, [], sequence(0.1, 0.5));
    expect(link.decide(1_000)).toBeNull();
  });

  it("never lets a packet overtake the one before it", () => {
    // +4 ms of jitter, then −4 ms one ms later: the second waits for the first.
    const link = createLink(() => fixed, [], sequence(0.9, 1, 0.9, 0));
    expect(link.decide(1_000)).toBe(1_014);
    expect(link.decide(1_001)).toBe(1_014);
  });

  it("drops everything during an outage and nothing after it", () => {
    const outages: Outages = [[2_000, 5_000]];
    const link = createLink(() => ({ delayMs: 5, jitterMs: 0, loss: 0 }), outages, sequence(0.5));
    expect(link.decide(1_999)).toBe(2_004);
    expect(link.decide(2_000)).toBeNull();
    expect(link.decide(4_999)).toBeNull();
    expect(link.decide(5_000)).toBe(5_005);
  });

  it("reads the crossing for every packet, so a new profile applies at once", () => {
    let crossing = { delayMs: 5, jitterMs: 0, loss: 0 };
    const link = createLink(() => crossing, [], sequence(0.5));
    expect(link.decide(0)).toBe(5);
    crossing = { delayMs: 50, jitterMs: 0, loss: 0 };
    expect(link.decide(10)).toBe(60);
  });

  it("loses about the given fraction with a seeded source", () => {
    let seed = 42;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const link = createLink(() => ({ delayMs: 0, jitterMs: 0, loss: 0.03 }), [], random);
    let lost = 0;
    for (let i = 0; i < 20_000; i++) if (link.decide(i) === null) lost++;
    expect(lost / 20_000).toBeGreaterThan(0.025);
    expect(lost / 20_000).toBeLessThan(0.035);
  });
});

describe("isDown", () => {
  it("is true from an outage's start up to, not including, its end", () => {
    expect([999, 1_000, 1_999, 2_000].map((t) => isDown([[1_000, 2_000]], t))).toEqual([false, true, true, false]);
  });
});

describe("shapingCommands", () => {
  it("shapes only UDP to and from the relay's port, each way at the rate, on lo", () => {
    const commands = shapingCommands(40_123, 1_500).map((args) => args.join(" "));
    expect(commands[0]).toBe("qdisc add dev lo root handle 1: htb default 0");
    expect(commands).toContain("class add dev lo parent 1: classid 1:1 htb rate 1500kbit ceil 1500kbit");
    expect(commands).toContain("class add dev lo parent 1: classid 1:2 htb rate 1500kbit ceil 1500kbit");
    expect(commands.filter((c) => c.includes("u32"))).toEqual([
      "filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff match ip dport 40123 0xffff flowid 1:1",
      "filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff match ip sport 40123 0xffff flowid 1:2",
    ]);
    expect(commands.every((c) => c.includes(" dev lo "))).toBe(true);
  });

  it("queues 100 ms at the rate, and at least a few packets", () => {
    expect(bufferBytes(4_000)).toBe(50_000);
    expect(bufferBytes(100)).toBe(6_000);
  });
});

describe("recoveryMs", () => {
  it("is the time from the network's return to the first frame painted after it", () => {
    const frames = [
      { painted: 900, shown: 950 },
      // Painted before the end, shown after it: stale, not live.
      { painted: 990, shown: 1_400 },
      { painted: 1_300, shown: 1_450 },
    ];
    expect(recoveryMs(frames, 1_000)).toBe(450);
  });

  it("is null when no live frame came", () => {
    expect(recoveryMs([{ painted: 10, shown: 2_000 }], 1_000)).toBeNull();
  });
});
