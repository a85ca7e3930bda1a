// A session's lifetime runs out at `expiresAt`; both pages warn EXPIRY_WARNING_MS before, so that the technician can
// extend it (within the admin's limit) and neither side is cut off mid-sentence.

/** How long before the end of a session's lifetime both pages warn: five minutes. */
export const EXPIRY_WARNING_MS = 5 * 60_000;

/**
 * Tells `onChange` whether the session is within EXPIRY_WARNING_MS of `expiresAt`, now and again when that changes:
 * call `set` with each new expiry (an extension), `stop` when the session is over. `now` and the timer are the page's.
 */
export class ExpiryWarning {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #isExpiring = false;

  readonly #onChange: (isExpiring: boolean) => void;
  readonly #now: () => number;

  constructor(onChange: (isExpiring: boolean) => void, now: () => number = Date.now) {
    this.#onChange = onChange;
    this.#now = now;
  }

  set(expiresAt: number | null): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (expiresAt === null) {
      this.#tell(false);
      return;
    }
    const warnAt = expiresAt - EXPIRY_WARNING_MS;
    const wait = warnAt - this.#now();
    this.#tell(wait <= 0);
    if (wait > 0) this.#timer = setTimeout(() => this.set(expiresAt), Math.min(wait, 2_147_483_647));
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tell(isExpiring: boolean): void {
    if (isExpiring === this.#isExpiring) return;
    this.#isExpiring = isExpiring;
    this.#onChange(isExpiring);
  }
}
