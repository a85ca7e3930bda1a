import { onLanguageChange } from "../i18n/page.ts";

/** The element with this id, checked to be of the expected kind (any element by default): a page and its script must agree. */
export function byId(id: string): HTMLElement;
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T;
export function byId(id: string, kind: new () => HTMLElement = HTMLElement): HTMLElement {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) throw new Error(`This page is missing #${id}`);
  return el;
}

/** The message in the live region: a function of the catalogue in use, so a change of language words it again. */
let announced: { message: () => string; isError: boolean } | null = null;

/**
 * Puts a message in the page's live region, where screen readers announce it. Pass a function that reads the
 * catalogue (`() => text().copied`) so that the message follows a change of language.
 */
export function announce(message: string | (() => string), isError = false): void {
  announced = { message: typeof message === "string" ? () => message : message, isError };
  const status = byId("status");
  const text = announced.message();
  // Unchanged text is left alone, so a screen reader does not hear it twice.
  if (status.textContent !== text) status.textContent = text;
  status.classList.toggle("error", isError);
}

onLanguageChange(() => {
  if (announced) announce(announced.message, announced.isError);
});

/** Runs `task` with `button` disabled, so a slow request cannot be started twice. */
export async function whileBusy<T>(button: HTMLButtonElement, task: () => Promise<T>): Promise<T> {
  button.disabled = true;
  try {
    return await task();
  } finally {
    button.disabled = false;
  }
}

/** Writes `text` into `el` only when it differs, so that a live region speaks each change once and nothing else. */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Whether the keyboard focus is nowhere in particular (on <body>, or on an element now hidden), or inside `within`. */
export function isFocusIdle(...within: HTMLElement[]): boolean {
  const active = document.activeElement;
  if (active === null || active === document.body) return true;
  if (within.some((el) => el.contains(active))) return true;
  return active instanceof HTMLElement && active.offsetParent === null && active.getClientRects().length === 0;
}

/**
 * A button of a list item: `text`, and `label` for a screen reader (which names the item, "Remove Front desk PC");
 * busy while `action` runs, so that a second click does not run it twice.
 */
export function actionButton(
  text: string,
  label: string,
  action: () => Promise<void>,
  className = "",
): HTMLButtonElement {
  const el = document.createElement("button");
  el.type = "button";
  if (className) el.className = className;
  el.textContent = text;
  el.setAttribute("aria-label", label);
  el.addEventListener("click", () => void whileBusy(el, action));
  return el;
}

/**
 * Writes `text` to the person's clipboard (at their click: a page may not, and should not, do it unasked) and says
 * whether it could, in the words `said` gives now (and in another language after a switch); where the browser refused, `onRefused` helps them copy it themselves (selects it, say).
 */
export async function copyText(
  text: string,
  said: () => { copied: string; notCopied: string },
  onRefused?: () => void,
): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    announce(() => said().copied);
  } catch {
    onRefused?.();
    announce(() => said().notCopied, true);
  }
}
