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
  /**
   * How long glass_to_glass_ms (and customer_cpu_pct) watch Tether's shares in all, split over `glassRounds` shares
   * alternating with the floor's, each after a second's warm-up.
   */
  glassMs: number;
  glassRounds: number;
  /** Bytes of the file file_mb_per_s sends (Tether's pages and the floor's bare channel), and its rounds. */
  fileBytes: number;
  fileRounds: number;
  /** First visits to a session link on the emulated slow line, for customer_first_view_slow_ms, after one warm-up. */
  slowVisits: number;
  /** Chat messages whose read receipt input_rtt_ms times. */
  chatRoundTrips: number;
  /**
   * Pointer moves agent_input_ms times: its spread has a long tail on a shared machine (a move that waits for another
   * process), so enough of them that the median's interval is narrow.
   */
  agentMoves: number;
  /** Starts of `npm start` and of the floor's bare wrangler dev for start_ready_ms… */
  starts: number;
  /** …or fewer (but at least two) once the pairs have taken this long: on a loaded machine one pair can take minutes. */
  startBudgetMs: number;
};

/** `npm run bench`: a few minutes. */
export const FULL: Plan = {
  isQuick: false,
  rtt: { warmUp: 1_000, runs: 40, perRun: 250 },
  throughput: { runs: 10, warmUpMs: 500, windowMs: 2_000, inFlight: 256 },
  idleSessions: 1_000,
  idleSteps: 4,
  idleWaitMs: 20_000,
  micro: 100_000,
  shares: 20,
  glassMs: 24_000,
  glassRounds: 6,
  fileBytes: 100_000_000,
  fileRounds: 3,
  slowVisits: 15,
  chatRoundTrips: 50,
  agentMoves: 200,
  starts: 8,
  startBudgetMs: Number.POSITIVE_INFINITY,
};

/** `npm run bench -- --quick`: under three minutes on two cores. */
export const QUICK: Plan = {
  isQuick: true,
  rtt: { warmUp: 300, runs: 20, perRun: 150 },
  throughput: { runs: 5, warmUpMs: 300, windowMs: 1_000, inFlight: 256 },
  idleSessions: 200,
  idleSteps: 2,
  idleWaitMs: 0,
  micro: 20_000,
  shares: 5,
  glassMs: 6_000,
  glassRounds: 3,
  fileBytes: 20_000_000,
  fileRounds: 1,
  slowVisits: 5,
  chatRoundTrips: 20,
  agentMoves: 20,
  starts: 3,
  startBudgetMs: 60_000,
};
