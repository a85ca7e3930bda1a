import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type BrowserContext, type Page } from "puppeteer-core";
import type { PageWatch } from "./browser.ts";
import { STEP_TIMEOUT_MS } from "./people.ts";
import { keepPeerConnectionsInPage } from "./rtc-stats.ts";

/** Debian's Firefox ESR; `apt-get install firefox-esr` puts it here. */
export const FIREFOX = "/usr/bin/firefox-esr";

/** Debian's X virtual framebuffer (`apt-get install xvfb`): a screen for Firefox to capture. */
export const XVFB = "/usr/bin/Xvfb";

/** Why a Firefox test cannot run here, or null when it can. */
export function firefoxMissing(): string | null {
  return existsSync(FIREFOX) ? null : `${FIREFOX} is not installed (apt-get install firefox-esr)`;
}

/**
 * Preferences for a Firefox that reaches nothing on its own and gives WebRTC what a test needs: host candidates on
 * loopback, fake cameras and microphones, no permission prompts. Puppeteer's own defaults already turn off most
 * background traffic; these repeat the important ones so that the list stands on its own.
 */
const PREFS: Record<string, unknown> = {
  // Nothing phones home: updates, telemetry, studies, remote settings, safe browsing, captive portal, connectivity.
  "app.update.enabled": false,
  "app.update.auto": false,
  "app.normandy.enabled": false,
  "app.normandy.api_url": "",
  "app.shield.optoutstudies.enabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "datareporting.healthreport.uploadEnabled": false,
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.unified": false,
  "toolkit.telemetry.server": "data:,",
  "browser.ping-centre.telemetry": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "browser.safebrowsing.downloads.enabled": false,
  "browser.safebrowsing.downloads.remote.enabled": false,
  "browser.safebrowsing.provider.mozilla.updateURL": "",
  "browser.safebrowsing.provider.google4.updateURL": "",
  "services.settings.server": "data:,#remote-settings-off/v1",
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.dns.disablePrefetch": true,
  "network.prefetch-next": false,
  "network.http.speculative-parallel-limit": 0,
  "browser.search.update": false,
  "extensions.update.enabled": false,
  "extensions.getAddons.cache.enabled": false,
  "extensions.systemAddon.update.enabled": false,
  "media.gmp-manager.updateEnabled": false,
  "media.gmp-gmpopenh264.enabled": false,
  "media.gmp-gmpopenh264.autoupdate": false,
  "media.gmp-widevinecdm.enabled": false,
  "browser.newtabpage.enabled": false,
  "browser.startup.page": 0,
  // WebRTC on loopback: the test's namespace has nothing else, and host addresses stay visible (no mDNS names).
  // A page that captures nothing (a viewer) still offers only the default route's address: see
  // addLoopbackDefaultRoute.
  "media.peerconnection.ice.loopback": true,
  "media.peerconnection.ice.obfuscate_host_addresses": false,
  "media.peerconnection.ice.link_local": true,
  "media.peerconnection.ice.default_address_only": false,
  "media.peerconnection.ice.no_host": false,
  // No prompts: getUserMedia gets the fake camera (a test pattern) and microphone (a tone); getDisplayMedia, which
  // has no fake source, picks the first real screen (an Xvfb one in tests: startVirtualScreen).
  "media.navigator.streams.fake": true,
  "media.navigator.permission.disabled": true,
  "media.autoplay.default": 0,
  "media.autoplay.blocking_policy": 0,
};

/** A virtual X screen: `display` (":N") for a browser's DISPLAY, and the way to stop it. */
export type VirtualScreen = { display: string; stop(): void };

/**
 * Starts Xvfb on a display number it picks itself (-displayfd), listening on no TCP port. Firefox has no fake screen
 * (its fake devices are a camera and a microphone only), so a headless Firefox pointed at this display is what
 * shares a screen in a test: getDisplayMedia, with permission prompts off, picks its one monitor. `size` is the
 * screen's, "WIDTHxHEIGHT". Resolves once the screen is up.
 */
export function startVirtualScreen(size = "1280x720"): Promise<VirtualScreen> {
  const xvfb: ChildProcess = spawn(XVFB, ["-displayfd", "3", "-screen", "0", `${size}x24`, "-nolisten", "tcp"], {
    stdio: ["ignore", "ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    xvfb.once("error", reject);
    xvfb.once("exit", (code) => reject(new Error(`Xvfb exited (${code}) before its screen was up`)));
    xvfb.stdio[3]?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const display = /^(\d+)\n/.exec(out)?.[1];
      if (display !== undefined) resolve({ display: `:${display}`, stop: () => xvfb.kill() });
    });
  });
}

/**
 * Launches headless Firefox (over WebDriver BiDi) with its own fresh profile under the temporary directory, removed
 * again when the browser closes; with `display`, on that X screen, which getDisplayMedia then captures; `prefs` add to
 * or override the test preferences. It must run inside the test's private network namespace like Chromium does.
 */
export async function launchFirefox(
  options: { display?: string | undefined; prefs?: Record<string, unknown> } = {},
): Promise<Browser> {
  const { display, prefs = {} } = options;
  const profile = await mkdtemp(join(tmpdir(), "tether-firefox-"));
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: { ...PREFS, ...prefs },
    env: { ...process.env, DISPLAY: display },
    timeout: STEP_TIMEOUT_MS,
    protocolTimeout: 2 * STEP_TIMEOUT_MS,
  });
  // Firefox may still be writing to the profile as it exits: retry until it is gone, and never fail a test over it.
  browser.once("disconnected", () => {
    rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch(() => undefined);
  });
  return browser;
}

/** An address for this private network namespace's default route (TEST-NET-1: documentation only, never routed). */
const DEFAULT_ROUTE_SOURCE = "192.0.2.1";

/**
 * Gives this private network namespace a default route on loopback, from an address of its own, and returns the way
 * back. Firefox gathers only the default route's address as a host candidate on a page that captures nothing (a
 * viewer): without a default route it finds none, and ICE fails. Every other network has one; here the route leads
 * back into the namespace's own loopback, so a packet still cannot leave. Only possible because the suite runs in
 * its own namespace (`npm run test:e2e`).
 */
export function addLoopbackDefaultRoute(): () => void {
  execFileSync("ip", ["addr", "add", `${DEFAULT_ROUTE_SOURCE}/32`, "dev", "lo"]);
  execFileSync("ip", ["route", "add", "default", "dev", "lo", "src", DEFAULT_ROUTE_SOURCE]);
  return () => {
    execFileSync("ip", ["route", "del", "default", "dev", "lo"]);
    execFileSync("ip", ["addr", "del", `${DEFAULT_ROUTE_SOURCE}/32`, "dev", "lo"]);
  };
}

/**
 * Records every console error, uncaught exception and CSP violation of `page` (the last through the
 * securitypolicyviolation event, which `watchFirefoxPage` makes every document report as a console error).
 */
export async function watchFirefoxPage(page: Page): Promise<PageWatch> {
  const watch: PageWatch = { documents: [], consoleErrors: [] };
  await page.evaluateOnNewDocument(() => {
    addEventListener("securitypolicyviolation", (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  page.on("response", (response) => {
    if (response.request().isNavigationRequest()) {
      watch.documents.push({ url: response.url(), csp: response.headers()["content-security-policy"] });
    }
  });
  page.on("console", (message) => {
    if (message.type() === "error") watch.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) =>
    watch.consoleErrors.push(`uncaught: ${error instanceof Error ? error.message : String(error)}`),
  );
  return watch;
}

/** Keeps every RTCPeerConnection `page`'s documents make on `window.peerConnections`, for getStats from a test. */
export async function keepFirefoxPeerConnections(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(keepPeerConnectionsInPage);
}

/** The video a page's newest connection receives: frames decoded so far, and in which codec ("video/AV1"). */
export type VideoReceived = { framesDecoded: number; codec: string | null };

/** Reads {@link VideoReceived} from a page whose connections are kept (keepFirefoxPeerConnections). */
export function videoReceived(page: Page): Promise<VideoReceived> {
  return page.evaluate(async () => {
    const made = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections;
    const stats = new Map<string, Record<string, unknown>>();
    (await made.at(-1)?.getStats())?.forEach((s: Record<string, unknown>) => {
      stats.set(String(s.id), s);
    });
    const video = [...stats.values()].find((s) => s.type === "inbound-rtp" && s.kind === "video");
    const codec = video?.codecId ? stats.get(String(video.codecId)) : undefined;
    return { framesDecoded: Number(video?.framesDecoded ?? 0), codec: (codec?.mimeType as string | undefined) ?? null };
  });
}

/** One person in Firefox: a browser context of their own (cookies, storage), one tab, and what it reported. */
export type FirefoxPerson = { context: BrowserContext; page: Page; watch: PageWatch };

/** A fresh Firefox context whose documents keep their connections (for getStats) and report CSP violations. */
export async function newFirefoxPerson(browser: Browser): Promise<FirefoxPerson> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await keepFirefoxPeerConnections(page);
  return { context, page, watch: await watchFirefoxPage(page) };
}

/** Clicks `selector` once it can be clicked; if it never can, fails with what the page showed instead. */
export async function clickWhenReady(page: Page, selector: string): Promise<void> {
  try {
    await page.locator(selector).click();
  } catch (err) {
    const shown = await page
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person would have seen
      .evaluate(() => document.body.innerText.replace(/\s+/g, " ").slice(0, 2_000))
      .catch(() => "(unreadable)");
    throw new Error(`could not click ${selector} on ${page.url()}; the page showed: ${shown}`, { cause: err });
  }
}
