import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

/** The WCAG 2.2 AA rule sets axe checks a page against. */
export const WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] as const;

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let axeSource: Promise<string> | undefined;

type Violation = {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
};

/**
 * Runs axe-core on what `page` shows now, against WCAG 2.2 AA, and returns one line per element that fails a rule
 * (rule, impact, selector, what to fix); none when the page passes. axe is evaluated through the DevTools protocol,
 * not added as a <script>, so the page's strict CSP stays as it is.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFile(axePath, "utf8");
  const source = await axeSource;
  await page.evaluate(source);
  const violations = await page.evaluate(
    async (tags) => {
      const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } }).axe;
      const results = (await axe.run(document, { runOnly: { type: "tag", values: tags } })) as {
        violations: Violation[];
      };
      return results.violations.map(({ id, impact, help, nodes }) => ({
        id,
        impact,
        help,
        nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
      }));
    },
    WCAG_22_AA as unknown as string[],
  );
  return violations.flatMap((v) =>
    v.nodes.map((node) => {
      const summary = (node.failureSummary ?? "").replace(/\s+/g, " ").slice(0, 240);
      return `${v.id} (${v.impact ?? "?"}) ${node.target.map(String).join(" > ")}: ${v.help}. ${summary}`;
    }),
  );
}

/**
 * What makes `page` scroll sideways in a viewport `width` CSS pixels wide (a 1280-pixel window at 1280/width zoom):
 * the pixels to scroll, and the outermost visible elements whose right edge passes the viewport's, as
 * "tag#id.class (right edge)". Nothing when the page reflows into that width (WCAG 1.4.10). The viewport is put back.
 */
export async function sidewaysScroll(page: Page, width: number): Promise<string[]> {
  const size = page.viewportSize();
  await page.setViewportSize({ width, height: Math.round(width * 0.8) });
  try {
    return await page.evaluate(() => {
      const root = document.documentElement;
      const overflow = root.scrollWidth - root.clientWidth;
      if (overflow <= 0) return [];
      const limit = root.clientWidth;
      const culprits: string[] = [];
      const named = new Set<Element>();
      for (const el of document.body.querySelectorAll<HTMLElement>("*")) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.right <= limit + 0.5) continue;
        named.add(el);
        // Only the outermost: an element inside one already named sticks out because of it.
        let parent = el.parentElement;
        while (parent && !named.has(parent)) parent = parent.parentElement;
        if (parent) continue;
        const classes =
          typeof el.className === "string" && el.className.trim()
            ? `.${el.className.trim().split(/\s+/).join(".")}`
            : "";
        culprits.push(
          `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${classes} (right edge ${Math.round(box.right)} of ${limit})`,
        );
      }
      return [`${overflow} px to scroll sideways`, ...culprits.slice(0, 8)];
    });
  } finally {
    if (size) await page.setViewportSize(size);
  }
}
