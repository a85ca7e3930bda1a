import { quantile, round, sorted } from "./stats.ts";

// A dependency-free SVG chart: one panel per measured distribution (signaling round trip today, connect time once
// the web clients exist), each a percentile curve per server: time on a logarithmic axis, and the share of samples
// on a scale that spreads out the tail (the distance from 90% to 99% equals that from 0% to 90%).

/** One server's samples in a panel. */
export type Series = { label: string; samples: readonly number[]; color: string; isDashed?: boolean };

/** One distribution to draw. */
export type Panel = { title: string; unit: string; series: Series[] };

const WIDTH = 760;
const PANEL_HEIGHT = 400;
const MARGIN = { left: 64, right: 24, top: 44, bottom: 140 };
const POINTS = 160;

/** The largest share drawn; rarer outliers are left out. */
const TOP_SHARE = 0.999;

/** Height of share `q` on the tail scale: 0 for 0%, 1 for 90%, 2 for 99%, 3 for 99.9%. */
function tail(q: number): number {
  return -Math.log10(1 - Math.min(q, TOP_SHARE));
}

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** Round numbers from 1, 2 and 5 times powers of ten, spanning [min, max]. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let exp = Math.floor(Math.log10(min)); exp <= Math.ceil(Math.log10(max)); exp++) {
    for (const m of [1, 2, 5]) {
      const tick = m * 10 ** exp;
      if (tick >= min && tick <= max) ticks.push(tick);
    }
  }
  return ticks;
}

function formatTick(value: number): string {
  return value >= 1 ? String(value) : value.toPrecision(1);
}

function drawPanel(panel: Panel, top: number): string {
  const x0 = MARGIN.left;
  const x1 = WIDTH - MARGIN.right;
  const y0 = top + MARGIN.top;
  const y1 = top + PANEL_HEIGHT - MARGIN.bottom;
  const all = sorted(panel.series.flatMap((s) => s.samples));
  // The time axis covers everything up to the 99.9th percentile of the slowest series.
  const min = Math.max(1e-3, (all[0] ?? 1) * 0.8);
  const max = Math.max(...panel.series.map((s) => quantile(sorted(s.samples), TOP_SHARE))) * 1.25;
  const x = (v: number) =>
    x0 +
    ((Math.log10(Math.min(Math.max(v, min), max)) - Math.log10(min)) * (x1 - x0)) / (Math.log10(max) - Math.log10(min));
  const y = (q: number) => y1 - (tail(q) / tail(TOP_SHARE)) * (y1 - y0);
  const parts: string[] = [];
  parts.push(`<text x="${x0}" y="${top + 26}" class="title">${escapeXml(panel.title)}</text>`);
  for (const q of [0, 0.5, 0.75, 0.9, 0.99, TOP_SHARE]) {
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${y(q)}" y2="${y(q)}" class="grid"/>`);
    parts.push(`<text x="${x0 - 8}" y="${y(q) + 4}" class="tick" text-anchor="end">${round(q * 100, 1)}%</text>`);
  }
  for (const tick of logTicks(min, max)) {
    parts.push(`<line x1="${x(tick)}" x2="${x(tick)}" y1="${y0}" y2="${y1}" class="grid"/>`);
    parts.push(`<text x="${x(tick)}" y="${y1 + 18}" class="tick" text-anchor="middle">${formatTick(tick)}</text>`);
  }
  parts.push(
    `<text x="${(x0 + x1) / 2}" y="${y1 + 40}" class="axis" text-anchor="middle">time, ${escapeXml(panel.unit)} (log scale)</text>`,
  );
  parts.push(
    `<text x="${x0 - 48}" y="${(y0 + y1) / 2}" class="axis" text-anchor="middle" transform="rotate(-90 ${x0 - 48} ${(y0 + y1) / 2})">percentile (tail scale)</text>`,
  );
  panel.series.forEach((series, index) => {
    const s = sorted(series.samples);
    const points: string[] = [];
    for (let i = 0; i <= POINTS; i++) {
      // Evenly spaced on the tail scale, so the tail gets as many points as the body.
      const q = 1 - 10 ** (-(i / POINTS) * tail(TOP_SHARE));
      points.push(`${x(quantile(s, q)).toFixed(1)},${y(q).toFixed(1)}`);
    }
    const dash = series.isDashed ? ' stroke-dasharray="6 4"' : "";
    parts.push(`<polyline points="${points.join(" ")}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`);
    const p50 = quantile(s, 0.5);
    const p99 = quantile(s, 0.99);
    const legendY = y1 + 62 + index * 18;
    const legendX = x0;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${series.color}" stroke-width="2"${dash}/>`,
    );
    parts.push(
      `<text x="${legendX + 28}" y="${legendY}" class="legend">${escapeXml(series.label)}: p50 ${p50.toFixed(2)}, p99 ${p99.toFixed(2)} ${escapeXml(panel.unit)}</text>`,
    );
  });
  return parts.join("\n");
}

/** The SVG document for `panels`, stacked vertically. */
export function renderChart(panels: Panel[], caption: string): string {
  const height = panels.length * PANEL_HEIGHT + 28;
  const body = panels.map((panel, i) => drawPanel(panel, i * PANEL_HEIGHT)).join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(panels.map((p) => p.title).join("; "))}">
<style>
text { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; fill: #222; }
.title { font-size: 16px; font-weight: 600; }
.tick { font-size: 11px; fill: #555; }
.axis { font-size: 12px; fill: #333; }
.legend { font-size: 12px; }
.caption { font-size: 11px; fill: #666; }
.grid { stroke: #e3e3e3; stroke-width: 1; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
${body}
<text x="${MARGIN.left}" y="${height - 10}" class="caption">${escapeXml(caption)}</text>
</svg>
`;
}
