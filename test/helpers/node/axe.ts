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
