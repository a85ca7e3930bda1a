// How long a session makes a guessing technician wait: after n failed handshakes the next start is accepted only
// min(cap, base · 2^(n−1)) seconds after the previous one. Pure arithmetic, shared by the room (handshake.ts) and
// the start-up check of HANDSHAKE_BACKOFF_BASE_S and HANDSHAKE_BACKOFF_CAP_S (worker/config.ts).

/** TeamViewer's published floor, which the configured waits must meet: 24 failed attempts take at least 17 hours. */
export const FLOOR_ATTEMPTS = 24;
export const FLOOR_S = 17 * 60 * 60;

/** The limits a session is created with when nothing else is configured (and what older stored rooms read as). */
export const DEFAULT_HANDSHAKE_LIMITS = { backoffBaseS: 2, backoffCapS: 7_200, perMinute: 10 } as const;

/** Seconds between the previous start and the next accepted one, after `failures` failed handshakes. */
export function backoffWaitS(failures: number, baseS: number, capS: number): number {
  if (failures <= 0) return 0;
  return Math.min(capS, baseS * 2 ** (failures - 1));
}

/** The least time `attempts` failed handshakes take, from the first start to the last: the waits between them. */
export function failedAttemptsTakeS(attempts: number, baseS: number, capS: number): number {
  let total = 0;
  for (let failures = 1; failures < attempts; failures++) total += backoffWaitS(failures, baseS, capS);
  return total;
}
