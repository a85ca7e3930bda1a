import type { Browser, CDPSession } from "playwright-core";
import { toBase64url } from "../client/core/base64url.ts";
import { newLinkSecret, seatKeyHash, seatKeyOf } from "../client/core/link-secret.ts";
import { launchBrowser } from "../test/helpers/node/browser.ts";
import { createSession } from "./clients.ts";
import { prerequisitesOf } from "./prerequisites.ts";
import { type BenchTechnician, startTether } from "./servers.ts";
import type { SuiteContext } from "./signaling-suite.ts";
import { median, medianInterval, percentiles } from "./stats.ts";

// customer_first_view_slow_ms: a customer opens a session link on a slow line and sees the consent screen. Headless
// Chromium with CDP's network emulation (Network.emulateNetworkConditions), its cache disabled (a first visit), opens
// /j/CODE#SECRET of a fresh session from the real `wrangler dev`; the figure is the time from navigation start (the
// click on the link; the page's performance.timeOrigin) to the page's `tether:consent-shown` mark
// (client/web/src/customer/page.ts), which it sets when it first shows the consent screen with the technician's
// verified name, its buttons wired: the Allow button visible and enabled, after GET /api/sessions/CODE answered.

/** The line: 1.6 Mbit/s down, 750 kbit/s up, in bytes a second, and 150 ms round trip. */
export const SLOW_LINE = { downloadBytesPerS: 1_600_000 / 8, uploadBytesPerS: 750_000 / 8, roundTripMs: 150 };

/** How long one page may take on a loaded machine before its sample is dropped. */
const STEP_TIMEOUT_MS = 60_000;
/** The mark the customer's page sets when it first shows the consent screen. */
const CONSENT_SHOWN = "tether:consent-shown";

/** One visit: the time to the first view, and the bytes that crossed the line by then and once all had loaded. */
type Visit = { ms: number; firstViewBytes: number; firstViewJsBytes: number; totalBytes: number; totalJsBytes: number };

/** One first visit to a fresh session's link on the emulated line. */
async function visit(browser: Browser, origin: string, technician: BenchTechnician): Promise<Visit> {
  const secret = newLinkSecret();
  const seatKey = seatKeyOf(secret);
  if (!seatKey) throw new Error("a fresh link secret gave no seat key");
  const { code } = await createSession(origin, technician, {
    seatKey: toBase64url(seatKey),
    customerKeyHash: seatKeyHash(seatKey),
  });
  const context = await browser.newContext({ baseURL: origin, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const wire = await watchWire(cdp);
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      // "Minimum latency from request sent to response headers received": a round trip, applied to each request.
      latency: SLOW_LINE.roundTripMs,
      downloadThroughput: SLOW_LINE.downloadBytesPerS,
      uploadThroughput: SLOW_LINE.uploadBytesPerS,
    });
    await page.goto(`/j/${code}#${secret}`, { waitUntil: "commit" });
    await page.waitForFunction((name) => performance.getEntriesByName(name).length > 0, CONSENT_SHOWN, {
      polling: 20,
      timeout: STEP_TIMEOUT_MS,
    });
    const allow = page.getByRole("button", { name: "Allow and choose what to share" });
    if (!(await allow.isVisible()) || !(await allow.isEnabled())) throw new Error("the consent screen has no Allow");
    const shown = await page.evaluate((name) => {
      const mark = performance.getEntriesByName(name)[0];
      return { ms: mark?.startTime ?? Number.NaN, at: performance.timeOrigin + (mark?.startTime ?? Number.NaN) };
    }, CONSENT_SHOWN);
    // What loads after the first view (the chunks needed after Allow, the ICE servers) has loaded once nothing has
    // moved on the line for a while.
    await page.waitForLoadState("networkidle");
    await wire.settled();
    const before = wire.finished.filter((f) => f.at <= shown.at);
    const sum = (list: typeof wire.finished) => list.reduce((total, f) => total + f.bytes, 0);
    const js = (list: typeof wire.finished) => list.filter((f) => f.isScript);
    return {
      ms: shown.ms,
      firstViewBytes: sum(before),
      firstViewJsBytes: sum(js(before)),
      totalBytes: sum(wire.finished),
      totalJsBytes: sum(js(wire.finished)),
    };
  } finally {
    await context.close();
  }
}

/**
 * Every HTTP response's bytes on the wire (Network.loadingFinished's encodedDataLength: headers and the body as sent,
 * compressed), when it finished as a wall-clock time, and whether it was a script.
 */
async function watchWire(cdp: CDPSession) {
  const finished: { bytes: number; at: number; isScript: boolean }[] = [];
  const scripts = new Set<string>();
  const pending = new Set<string>();
  /** Wall-clock ms minus CDP's monotonic ms, from requestWillBeSent, which carries both. */
  let offsetMs: number | null = null;
  await cdp.send("Network.enable");
  cdp.on("Network.requestWillBeSent", (event) => {
    offsetMs ??= event.wallTime * 1000 - event.timestamp * 1000;
    pending.add(event.requestId);
  });
  cdp.on("Network.responseReceived", (event) => {
    if (event.type === "Script") scripts.add(event.requestId);
  });
  cdp.on("Network.loadingFinished", (event) => {
    pending.delete(event.requestId);
    const at = event.timestamp * 1000 + (offsetMs ?? Number.NaN);
    finished.push({ bytes: event.encodedDataLength, at, isScript: scripts.has(event.requestId) });
  });
  cdp.on("Network.loadingFailed", (event) => pending.delete(event.requestId));
  return {
    finished,
    /** Resolves once no request is still loading. */
    async settled(): Promise<void> {
      const until = Date.now() + STEP_TIMEOUT_MS;
      while (pending.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}

/** Measures customer_first_view_slow_ms and the bytes beside it. */
export async function measureSlowLine(ctx: SuiteContext): Promise<void> {
  const { plan, snapshot, metrics, profile } = ctx;
  const noChromium = prerequisitesOf(ctx).missing("chromium");
  if (noChromium) {
    metrics.customer_first_view_slow_ms = { value: null, unit: "ms", note: noChromium };
    return;
  }
  ctx.progress("slow line: starting wrangler dev and Chromium");
  const [tether, browser] = await Promise.all([startTether(snapshot, 1, { isObserved: false }), launchBrowser()]);
  ctx.defer(tether.stop);
  ctx.defer(() => browser.close());
  const technician = tether.technicians[0];
  if (!technician) throw new Error("no technician");
  const visits: Visit[] = [];
  const dropped: string[] = [];
  for (let i = -1; i < plan.slowVisits; i++) {
    ctx.progress(`slow line: visit ${i < 0 ? "warm-up" : `${i + 1} of ${plan.slowVisits}`}`);
    try {
      const result = await visit(browser, tether.origin, technician);
      if (i >= 0) visits.push(result);
    } catch (err) {
      dropped.push(String(err).split("\n")[0] ?? "");
      ctx.progress(`slow line: visit dropped: ${dropped.at(-1)}`);
    }
  }
  if (visits.length < Math.ceil(plan.slowVisits / 2)) {
    throw new Error(`slow line: only ${visits.length} of ${plan.slowVisits} visits completed: ${dropped.join("; ")}`);
  }
  const samples = visits.map((v) => v.ms);
  const interval = medianInterval(samples);
  const bytes = (key: keyof Visit) => Math.round(median(visits.map((v) => v[key])));
  const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
  metrics.customer_first_view_slow_ms = {
    value: interval.estimate,
    unit: "ms",
    ...percentiles(samples),
    value_ci: [interval.low, interval.high],
    runs: samples,
    note: `navigation start → the consent screen shown with Allow enabled (the page's ${CONSENT_SHOWN} mark), a first visit (cache disabled) to a fresh session's /j/CODE#SECRET in headless Chromium, CDP network emulation ${(SLOW_LINE.downloadBytesPerS * 8) / 1e6} Mbit/s down, ${(SLOW_LINE.uploadBytesPerS * 8) / 1e3} kbit/s up, ${SLOW_LINE.roundTripMs} ms per request (CDP's latency: request sent → response headers); through wrangler dev (which gzips); ${visits.length} visits after a warm-up; on the wire by then ${kB(bytes("firstViewBytes"))} (JavaScript ${kB(bytes("firstViewJsBytes"))}), ${kB(bytes("totalBytes"))} (JavaScript ${kB(bytes("totalJsBytes"))}) once what loads after it is in${dropped.length ? `; ${dropped.length} visit(s) dropped (${dropped[0]})` : ""}`,
  };
  profile.customer_first_view_slow_bytes = {
    value: bytes("firstViewBytes"),
    unit: "bytes",
    note: "median bytes on the wire (encodedDataLength: headers and the compressed body) of the responses finished by the first view",
  };
  profile.customer_first_view_slow_js_bytes = {
    value: bytes("firstViewJsBytes"),
    unit: "bytes",
    note: "the JavaScript of them",
  };
  profile.customer_page_slow_total_bytes = {
    value: bytes("totalBytes"),
    unit: "bytes",
    note: "every response of the visit once the network was idle: the first view and what loads after it (the chunks needed after Allow, the ICE servers)",
  };
  profile.customer_page_slow_total_js_bytes = {
    value: bytes("totalJsBytes"),
    unit: "bytes",
    note: "the JavaScript of them",
  };
}
