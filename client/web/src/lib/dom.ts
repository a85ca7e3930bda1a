/** The element with this id, checked to be of the expected kind: a page and its script must agree. */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) throw new Error(`This page is missing #${id}`);
  return el;
}

/** Puts a message in the page's live region, where screen readers announce it. */
export function announce(message: string, isError = false): void {
  const status = byId("status", HTMLElement);
  status.textContent = message;
  status.classList.toggle("error", isError);
}

/** Runs `task` with `button` disabled, so a slow request cannot be started twice. */
export async function whileBusy<T>(button: HTMLButtonElement, task: () => Promise<T>): Promise<T> {
  button.disabled = true;
  try {
    return await task();
  } finally {
    button.disabled = false;
  }
}

/** A date and time in the reader's own locale. */
export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** A time of day in the reader's own locale, for deadlines within the hour. */
export function formatClock(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { timeStyle: "short" });
}
