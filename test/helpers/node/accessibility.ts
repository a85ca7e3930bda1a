import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { axeViolations, sidewaysScroll } from "./axe.ts";

// What the accessibility tests check of a page, shared by the files that walk its states: axe-core (WCAG 2.2 AA) in
// both colour schemes, reflow at 200 % and 400 % zoom, the keyboard's focus, and what the live regions give a screen
// reader to speak.

/**
 * Fails with axe's findings, one line each, unless `page` passes in the light and the dark scheme as it is now; and
 * unless it reflows (WCAG 1.4.10) at 200 % and 400 % zoom.
 */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await axeViolations(page), `${state} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: null });
  await expectReflow(page, state);
}

/**
 * Fails, naming what sticks out, unless `page` needs no sideways scrolling in the 640 and the 320 CSS pixels a
 * 1280-pixel window has at 200 % and at 400 % zoom.
 */
export async function expectReflow(page: Page, state: string): Promise<void> {
  expect(await sidewaysScroll(page, 640), `${state} at 200 % zoom`).toEqual([]);
  expect(await sidewaysScroll(page, 320), `${state} at 400 % zoom`).toEqual([]);
}

/**
 * Records every write to the page's live regions (role=status, aria-live) from now on, as "id: text", in order: what a
 * screen reader would be given to speak. A write to a region not shown, or one whose aria-live is "off" at the time,
 * is not spoken and not recorded.
 */
export async function recordLiveRegions(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const heard: string[] = [];
    (globalThis as unknown as { heard: string[] }).heard = heard;
    for (const region of document.querySelectorAll<HTMLElement>('[role="status"], [aria-live]')) {
      new MutationObserver(() => {
        if (region.getAttribute("aria-live") === "off" || !region.checkVisibility()) return;
        heard.push(`${region.id}: ${region.textContent?.trim() ?? ""}`);
      }).observe(region, { childList: true, characterData: true, subtree: true });
    }
  });
  return () => page.evaluate(() => (globalThis as unknown as { heard: string[] }).heard);
}

/** What a screen reader says of `heard` from line `from` on: the writes that leave text (a cleared region says nothing). */
export function spoken(heard: string[], from = 0): string[] {
  return heard.slice(from).filter((line) => !line.endsWith(": "));
}

/** Writes in `heard` that repeat the region's previous text: a screen reader would say them twice. */
export function repeats(heard: string[]): string[] {
  const last = new Map<string, string>();
  return heard.filter((line) => {
    const id = line.slice(0, line.indexOf(":"));
    const isRepeat = last.get(id) === line;
    last.set(id, line);
    return isRepeat;
  });
}

/** Whether `target` holds the keyboard focus. */
export function isFocused(target: Locator): Promise<boolean> {
  return target.evaluate((el) => el === el.ownerDocument.activeElement);
}

/**
 * Presses Tab until `target` has the focus (failing after `most` presses), and checks that the focus shows: the
 * focused element draws an outline.
 */
export async function tabTo(page: Page, target: Locator, most = 30): Promise<void> {
  for (let presses = 0; presses < most && !(await isFocused(target)); presses++) await page.keyboard.press("Tab");
  expect(await isFocused(target), `${target} reached with Tab`).toBe(true);
  const outline = await target.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline, `${target} shows its focus`).not.toBe("none");
}
