import { type Bucket, take } from "../rate-limit/bucket.ts";
import type { Limits } from "./state.ts";

/** Rejected messages a socket may send at the full rate before it is closed as abusive. */
export const ABUSE_BURST = 50;

/** How fast that allowance comes back, per second. */
export const ABUSE_REFILL_PER_S = 5;

/** Per-socket flood state: the message bucket and the bucket of tolerated rejections. Memory only. */
export type FloodState = { messages: Bucket | undefined; rejections: Bucket | undefined };

/** ok: handle it; limited: refuse it with RATE_LIMITED; abusive: close the socket (1008). */
export type FloodVerdict = "ok" | "limited" | "abusive";

export function newFloodState(): FloodState {
  return { messages: undefined, rejections: undefined };
}

/** Charges one message against the socket's token bucket; sustained excess is abuse. Mutates `state`. */
export function checkFlood(state: FloodState, limits: Limits, now: number): FloodVerdict {
  const message = take(state.messages, { capacity: limits.messageBurst, refillPerSecond: limits.messagesPerS }, now);
  state.messages = message.bucket;
  if (message.allowed) return "ok";
  const rejection = take(state.rejections, { capacity: ABUSE_BURST, refillPerSecond: ABUSE_REFILL_PER_S }, now);
  state.rejections = rejection.bucket;
  return rejection.allowed ? "limited" : "abusive";
}
