/** Largest multiple of 10^9 that fits in 32 bits: values at or above it are redrawn, so every code is equally likely. */
const LIMIT = Math.floor(2 ** 32 / 1e9) * 1e9;

/** A nine-digit session code, uniform over 000000000–999999999. `random` fills its argument (crypto.getRandomValues). */
export function newSessionCode(random: (array: Uint32Array) => Uint32Array = (a) => crypto.getRandomValues(a)): string {
  const buffer = new Uint32Array(1);
  for (;;) {
    const value = random(buffer)[0] ?? LIMIT;
    if (value < LIMIT) return String(value % 1e9).padStart(9, "0");
  }
}
