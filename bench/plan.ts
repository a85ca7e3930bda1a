import type { SignalingPlan } from "./compare.ts";

/** How much of everything one run measures. */
export type Plan = SignalingPlan & {
  isQuick: boolean;
  /** Sessions held open for sessions_idle_kb, added in `idleSteps` steps. */
  idleSessions: number;
  idleSteps: number;
  /** A further wait after filling, to see whether idle sessions shrink (0: none). */
  idleWaitMs: number;
  /** Iterations per timed run of the micro-benchmarks. */
  micro: number;
  /** Shares timed for connect_ms (Tether and the floor each) and connect_relay_ms, after one warm-up each. */
  shares: number;
  /** How long glass_to_glass_ms watches one share (Tether's, then the floor's), after a second's warm-up. */
  glassMs: number;
};

/** `npm run bench`: a few minutes. */
export const FULL: Plan = {
  isQuick: false,
  rtt: { warmUp: 1_000, runs: 5, perRun: 2_000 },
  throughput: { runs: 5, warmUpMs: 1_000, windowMs: 3_000, inFlight: 256 },
  idleSessions: 1_000,
  idleSteps: 4,
  idleWaitMs: 20_000,
  micro: 100_000,
  shares: 20,
  glassMs: 15_000,
};

/** `npm run bench -- --quick`: under three minutes on two cores. */
export const QUICK: Plan = {
  isQuick: true,
  rtt: { warmUp: 300, runs: 3, perRun: 1_000 },
  throughput: { runs: 3, warmUpMs: 500, windowMs: 1_500, inFlight: 256 },
  idleSessions: 200,
  idleSteps: 2,
  idleWaitMs: 0,
  micro: 20_000,
  shares: 5,
  glassMs: 3_000,
};
