import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EXPIRY_WARNING_MS, ExpiryWarning } from "../../client/web/src/lib/expiry-warning.ts";

// Both pages warn EXPIRY_WARNING_MS before a session's lifetime ends, and stop warning when an extension moves the
// end; on the test's clock.

const T0 = 1_000_000;
const MIN = 60_000;

beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => vi.useRealTimers());

describe("the expiry warning", () => {
  it("warns five minutes before the end, and no longer once an extension moves it", () => {
    const heard: boolean[] = [];
    const warning = new ExpiryWarning((isExpiring) => heard.push(isExpiring));
    warning.set(T0 + 60 * MIN);
    expect(heard).toEqual([]);
    vi.advanceTimersByTime(55 * MIN - 1);
    expect(heard).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(heard).toEqual([true]);
    warning.set(T0 + 120 * MIN);
    expect(heard).toEqual([true, false]);
    vi.advanceTimersByTime(60 * MIN);
    expect(heard).toEqual([true, false, true]);
    expect(EXPIRY_WARNING_MS).toBe(5 * MIN);
  });

  it("warns at once when the page opens within the last five minutes, and stops with the session", () => {
    const heard: boolean[] = [];
    const warning = new ExpiryWarning((isExpiring) => heard.push(isExpiring));
    warning.set(T0 + 4 * MIN);
    expect(heard).toEqual([true]);
    const later = new ExpiryWarning((isExpiring) => heard.push(isExpiring));
    later.set(T0 + 10 * MIN);
    later.stop();
    vi.advanceTimersByTime(10 * MIN);
    expect(heard).toEqual([true]);
  });
});
