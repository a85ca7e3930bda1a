// Performance marks at a handshake's start (the console sends pakeStart) and at each page's confirmation, named
// `tether:handshake-start` and `tether:handshake-confirmed`: they show in the browser's performance tools, and
// `npm run bench` reads them for pake_ms. A mark carries a name and a time, nothing of the run.

/** Marks a step of this page's handshake on the performance timeline. */
export function markHandshake(step: "start" | "confirmed"): void {
  performance.mark(`tether:handshake-${step}`);
}
