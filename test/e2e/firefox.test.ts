import { existsSync } from "node:fs";
import type { Page } from "playwright-core";
import type { Browser as Firefox, Page as FirefoxPage } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  addLoopbackDefaultRoute,
  clickWhenReady,
  type FirefoxPerson,
  firefoxMissing,
  launchFirefox,
  newFirefoxPerson,
  startVirtualScreen,
  type VirtualScreen,
  videoReceived,
  XVFB,
} from "../helpers/node/firefox.ts";
import {
  createSession,
  enrolTechnician as enrolInChromium,
  framesArrive,
  newPerson,
  open,
  type Person,
  SESSION_LINK,
  textOf,
} from "../helpers/node/people.ts";
import { keepPeerConnections } from "../helpers/node/rtc-stats.ts";
import { useScene } from "../helpers/node/stage.ts";
import { enrolTechnician } from "../helpers/node/technicians.ts";

// The customer's page and the technician's viewer in Firefox (Debian's ESR, driven over WebDriver BiDi), each facing
// the other page in Chromium: frames arrive and are decoded, in a codec both browsers have (the customer's page
// orders what its own browser offers; the answer keeps only what both sides have), and neither page throws or
// breaks its content security policy in Firefox.

const missing = firefoxMissing();

describe.skipIf(missing !== null)(`Firefox${missing ? ` (skipped: ${missing})` : ""}`, () => {
  const scene = useScene();
  let firefox: Firefox;
  let screen: VirtualScreen | undefined;
  let removeRoute: (() => void) | undefined;
  /** The people a test opened in Firefox; closed and checked after each test. */
  const opened: FirefoxPerson[] = [];

  beforeAll(async () => {
    removeRoute = addLoopbackDefaultRoute();
    if (existsSync(XVFB)) screen = await startVirtualScreen();
    firefox = await launchFirefox({ display: screen?.display });
  });
  /** Closes the Firefox people a test opened and fails it if any of their pages threw or broke the CSP. */
  async function checkAndClose(): Promise<void> {
    const faults = opened
      .flatMap((o) => o.watch.consoleErrors)
      .filter((e) => /content security policy/i.test(e) || e.startsWith("uncaught:"));
    await Promise.all(opened.splice(0).map((o) => o.context.close()));
    expect(faults, "CSP violations and uncaught exceptions in Firefox").toEqual([]);
  }
  afterEach(checkAndClose);
  afterAll(async () => {
    await firefox?.close();
    screen?.stop();
    removeRoute?.();
  });

  /** A person at a fresh Firefox context, closed and checked after the test. */
  async function inFirefox(browser: Firefox = firefox): Promise<FirefoxPage> {
    const person = await newFirefoxPerson(browser);
    opened.push(person);
    return person.page;
  }

  /** The video codec a Chromium page's newest connection sends with ("video/AV1"). */
  function codecSent(page: Page): Promise<string | undefined> {
    return page.evaluate(() => {
      const made = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections;
      const video = made
        .at(-1)
        ?.getSenders()
        .find((s) => s.track?.kind === "video");
      return video?.getParameters().codecs[0]?.mimeType;
    });
  }

  /**
   * A technician signed in at a fresh context of `browser` (Firefox) views a new session whose Chromium customer
   * allows; resolves once the Firefox viewer has decoded frames and shows them (the <video> knows the picture's size).
   */
  async function chromiumToFirefox(
    browser: Firefox,
    technicianName: string,
  ): Promise<{ tech: FirefoxPage; customer: Person }> {
    // Signed in as a passkey ceremony would leave it: the server's own sign-in cookie, set in Firefox.
    const technician = await enrolTechnician(scene.server, technicianName);
    const [name = "", value = ""] = technician.cookie.split("=");
    const tech = await inFirefox(browser);
    await tech.browserContext().setCookie({
      name,
      value,
      domain: new URL(scene.server.origin).hostname,
      path: "/",
      httpOnly: true,
      secure: true,
      sameSite: "Strict",
    });
    await tech.goto(`${scene.server.origin}/console`);
    await clickWhenReady(tech, "#create-session");
    const linkValue = () => tech.$eval("#session-link", (e) => (e as HTMLInputElement).value);
    await expect.poll(linkValue).toMatch(SESSION_LINK);
    const link = await linkValue();
    await clickWhenReady(tech, "#session-view");
    await tech.locator("#remote-screen").wait();

    const customer = await newPerson(scene.browser, scene.server);
    scene.people.push(customer);
    await keepPeerConnections(customer.context);
    await open(customer.page, link);
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();

    await expect.poll(async () => (await videoReceived(tech)).framesDecoded).toBeGreaterThan(10);
    const size = await tech.$eval("#remote-screen", (e) => [
      (e as HTMLVideoElement).videoWidth,
      (e as HTMLVideoElement).videoHeight,
    ]);
    expect(size[0]).toBeGreaterThan(0);
    expect(size[1]).toBeGreaterThan(0);
    return { tech, customer };
  }

  it("shows a Chromium customer's screen in a Firefox viewer, in a codec both decode", async () => {
    const { tech, customer } = await chromiumToFirefox(firefox, "Fiona Fox");
    // Firefox decodes AV1, the customer's first choice, so that is what both ends use.
    expect((await videoReceived(tech)).codec).toBe("video/AV1");
    expect(await codecSent(customer.page)).toBe("video/AV1");
    await expect.poll(() => tech.$eval("#stat-codec", (e) => e.textContent?.trim())).toBe("AV1");
  });

  it("falls back to VP9 for a Firefox viewer that cannot decode AV1", async () => {
    // As a browser without an AV1 decoder: the answer leaves AV1 out, and the customer sends its next choice.
    const withoutAv1 = await launchFirefox({ prefs: { "media.webrtc.codec.video.av1.enabled": false } });
    try {
      const { tech, customer } = await chromiumToFirefox(withoutAv1, "Vera Vp");
      expect((await videoReceived(tech)).codec).toBe("video/VP9");
      expect(await codecSent(customer.page)).toBe("video/VP9");
      await expect.poll(() => tech.$eval("#stat-codec", (e) => e.textContent?.trim())).toBe("VP9");
    } finally {
      await checkAndClose();
      await withoutAv1.close();
    }
  });

  it.skipIf(!existsSync(XVFB))(
    `shares a Firefox customer's screen with a Chromium viewer${existsSync(XVFB) ? "" : ` (skipped: ${XVFB} is not installed)`}`,
    async () => {
      const tech = await enrolInChromium(scene.browser, scene.server, "Chris Chrome");
      scene.people.push(tech);
      const link = await createSession(tech.page);
      await tech.page.getByRole("link", { name: "View this session" }).click();

      const customer = await inFirefox();
      await customer.goto(link);
      // As a customer would, they read the four words (once the technician's check is done) before Allow.
      await customer.waitForFunction(() =>
        /^[a-z]+( [a-z]+){3}$/.test(document.getElementById("verification-code")?.textContent ?? ""),
      );
      await clickWhenReady(customer, "#allow");

      await framesArrive(tech.page.getByLabel("Customer's screen"));
      const sent = await customer.evaluate(() => {
        const made = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections;
        const sender = made
          .at(-1)
          ?.getSenders()
          .find((s) => s.track?.kind === "video");
        return { codec: sender?.getParameters().codecs[0]?.mimeType, contentHint: sender?.track?.contentHint };
      });
      expect(sent).toEqual({ codec: "video/AV1", contentHint: "detail" });
      // Keep on top, by feature: with Document Picture-in-Picture (Firefox 151+) the bar moves into the mini window;
      // without it the page says it cannot.
      const hasMiniWindow = await customer.evaluate(() => "documentPictureInPicture" in window);
      const shown = (selector: string) => customer.$eval(selector, (e) => !(e as HTMLElement).hidden);
      expect([await shown("#keep-on-top"), await shown("#keep-on-top-missing")]).toEqual([
        hasMiniWindow,
        !hasMiniWindow,
      ]);
      if (hasMiniWindow) {
        await clickWhenReady(customer, "#keep-on-top");
        await expect.poll(() => customer.evaluate(() => document.getElementById("sharing") === null)).toBe(true);
      }
      await expect
        .poll(() =>
          textOf(tech.page.getByRole("region", { name: "Connection details" }).getByLabel("Codec", { exact: true })),
        )
        .toBe("AV1");
    },
  );
});
