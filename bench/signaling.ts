import { frameType, type Pair } from "./clients.ts";

// The two signaling loops, the same for every server: they see only a Pair's frames.

/** Longest any one loop may run before it is called failed. */
const LOOP_TIMEOUT_MS = 60_000;

/** Fails on an error frame from the server, so a refused message never looks like a slow one. */
function checkError(frame: string, where: string): void {
  const type = frameType(frame);
  if (type === "error" || type === "ERROR") throw new Error(`${where}: the server answered ${frame.slice(0, 300)}`);
}

/**
 * `count` sequential round trips: the customer sends an offer, the technician's client answers as soon as the offer
 * arrives, and the time until the answer reaches the customer is one sample (ms).
 */
export function measureRoundTrips(pair: Pair, count: number): Promise<number[]> {
  const { customer, technician } = pair;
  const samples: number[] = [];
  return new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`round trips: ${samples.length} of ${count} in ${LOOP_TIMEOUT_MS} ms`)),
      LOOP_TIMEOUT_MS,
    );
    const fail = (err: unknown) => {
      clearTimeout(timer);
      reject(err);
    };
    let sentAt = 0;
    const next = () => {
      sentAt = performance.now();
      customer.send(pair.offer);
    };
    technician.onFrame = (frame) => {
      if (frameType(frame) === pair.types.offer) technician.send(pair.answer);
      else {
        try {
          checkError(frame, "technician");
        } catch (err) {
          fail(err);
        }
      }
    };
    customer.onFrame = (frame) => {
      if (frameType(frame) !== pair.types.answer) {
        try {
          checkError(frame, "customer");
        } catch (err) {
          fail(err);
        }
        return;
      }
      samples.push(performance.now() - sentAt);
      if (samples.length < count) return next();
      clearTimeout(timer);
      resolve(samples);
    };
    next();
  }).finally(() => {
    technician.onFrame = () => {};
    customer.onFrame = () => {};
  });
}

/** What one throughput window measured. */
export type ThroughputRun = {
  messagesPerS: number;
  sent: number;
  received: number;
  /** The server processes' CPU time per relayed message over the whole run (warm-up and drain included), µs. */
  serverCpuUsPerMessage: number | null;
  /** Their CPU use over the run: 100 is one core busy. */
  serverCpuPercent: number | null;
  /** Frames still on their way when the loop gave up waiting for them (the window had been measured by then). */
  lost: number;
};

/**
 * One-way relay throughput: the customer keeps up to `inFlight` candidates on their way to the technician (a new one
 * for each that arrives) for `warmUpMs + windowMs`; the rate is what arrived during the last `windowMs`. The loop then
 * stops sending and waits for the rest to drain, so runs do not overlap.
 */
export function measureThroughput(
  pair: Pair,
  options: { warmUpMs: number; windowMs: number; inFlight: number; serverCpuMs?: () => number },
): Promise<ThroughputRun> {
  const { customer, technician } = pair;
  const cpuBefore = options.serverCpuMs?.() ?? null;
  const start = performance.now();
  const windowStart = start + options.warmUpMs;
  const windowEnd = windowStart + options.windowMs;
  let sent = 0;
  let received = 0;
  let inWindow = 0;
  let isSending = true;
  return new Promise<ThroughputRun>((resolve, reject) => {
    // A server that stops relaying before the window ends fails the run; one that loses the last frames in flight
    // after it has been measured only has them counted as lost.
    const timer = setTimeout(() => {
      if (performance.now() >= windowEnd && inWindow > 0) return finish();
      const closed = [customer, technician].map((e, i) =>
        e.closedWith ? `${["customer", "technician"][i]} socket closed ${e.closedWith}` : "",
      );
      const why = closed.filter(Boolean).join("; ");
      reject(new Error(`throughput: ${received} of ${sent} arrived in ${LOOP_TIMEOUT_MS} ms${why ? ` (${why})` : ""}`));
    }, LOOP_TIMEOUT_MS);
    const finish = () => {
      clearTimeout(timer);
      const cpu = cpuBefore === null ? null : (options.serverCpuMs?.() ?? cpuBefore) - cpuBefore;
      const elapsedMs = performance.now() - start;
      resolve({
        messagesPerS: (inWindow * 1000) / options.windowMs,
        sent,
        received,
        serverCpuUsPerMessage: cpu === null ? null : (cpu * 1000) / received,
        serverCpuPercent: cpu === null ? null : (cpu * 100) / elapsedMs,
        lost: sent - received,
      });
    };
    const pump = () => {
      while (isSending && sent - received < options.inFlight) {
        customer.send(pair.candidate);
        sent++;
      }
    };
    technician.onFrame = (frame) => {
      if (frameType(frame) !== pair.types.candidate) {
        try {
          checkError(frame, "technician");
        } catch (err) {
          clearTimeout(timer);
          reject(err);
        }
        return;
      }
      received++;
      const now = performance.now();
      if (now >= windowStart && now < windowEnd) inWindow++;
      if (now >= windowEnd) isSending = false;
      if (isSending) pump();
      else if (received === sent) finish();
    };
    customer.onFrame = (frame) => {
      try {
        checkError(frame, "customer");
      } catch (err) {
        clearTimeout(timer);
        reject(err);
      }
    };
    pump();
  }).finally(() => {
    technician.onFrame = () => {};
    customer.onFrame = () => {};
  });
}
