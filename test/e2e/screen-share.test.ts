import { execFileSync } from "node:child_process";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/node/browser.ts";
import { type DevServer, startDevServer } from "../helpers/node/dev-server.ts";
import {
  enrolTechnician,
  framesArrive,
  isStill,
  newPerson,
  open,
  type Person,
  pageFaults,
  textOf,
  videoFigures,
} from "../helpers/node/people.ts";

// One story over a session link: the technician creates a session and opens the viewer, the customer opens the
// link, sees who is asking, allows, and the technician sees the screen; then pause, reload, a network drop, the
// browser's own Stop sharing, and End.

let server: DevServer;
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Takes this private network namespace's loopback down or up: every packet between the two browsers (and to the
 * server) stops, as when a laptop leaves its Wi-Fi. Only possible because the suite runs in its own namespace.
 */
function setLoopback(isUp: boolean): void {
  execFileSync("ip", ["link", "set", "lo", isUp ? "up" : "down"]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One figure in the viewer's connection details. */
function stat(page: Page, name: string): Locator {
  return page.getByRole("region", { name: "Connection details" }).getByLabel(name, { exact: true });
}

describe("screen sharing over a session link", () => {
  let technician: Person;
  let customer: Person;
  let link: string;
  let screen: Locator;

  it("lets the technician create a session and open its viewer", async () => {
    technician = await enrolTechnician(browser, server, "Tom Tech");
    people.push(technician);
    const { page } = technician;
    await page.getByLabel("Case number (optional)").fill("CASE-7");
    await page.getByRole("button", { name: "New session" }).click();
    const linkField = page.getByLabel("Session link", { exact: true });
    await expect.poll(() => linkField.inputValue(), { timeout: 5_000 }).toMatch(/\/j\/\d{9}$/);
    link = await linkField.inputValue();
    await page.getByRole("link", { name: "View this session" }).click();
    await page.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
    await page.getByText("The customer has not opened the session yet.").waitFor();
    screen = page.getByLabel("Customer's screen");
  });

  it("shows the customer who is asking, and a warning, before anything is shared", async () => {
    customer = await newPerson(browser, server);
    people.push(customer);
    const { page } = customer;
    // Keeps every RTCPeerConnection the page makes, so a test can read how its sender is set up.
    await customer.context.addInitScript(() => {
      const Native = RTCPeerConnection;
      const made: RTCPeerConnection[] = [];
      Object.assign(window, { peerConnections: made });
      window.RTCPeerConnection = class extends Native {
        constructor(config?: RTCConfiguration) {
          super(config);
          made.push(this);
        }
      };
    });
    // The session's ICE servers are fetched as the page opens, before Allow, so the connection can start at once.
    const iceFetched = page.waitForResponse((res) => new URL(res.url()).pathname.endsWith("/ice"));
    await open(page, link);
    expect((await iceFetched).status()).toBe(200);
    const consent = page.getByRole("region", { name: "Who is asking to see your screen" });
    await consent.getByText("Tom Tech", { exact: true }).waitFor();
    expect(await textOf(consent.getByRole("definition").filter({ hasText: "CASE-7" }))).toBe("CASE-7");
    expect(await textOf(consent)).toContain("from Tether");
    expect(await textOf(consent)).toContain("Only continue if you contacted this organisation yourself.");
    await consent.getByText("Tom Tech is connected.").waitFor();
    // The technician sees the customer arrive, and nothing else: no track, no frame.
    await technician.page.getByText("The customer is connected and deciding whether to allow viewing.").waitFor();
    expect(await videoFigures(screen)).toEqual({ frames: 0, width: 0, height: 0 });
  });

  it("shares the screen once the customer allows, and the technician sees decoded frames", async () => {
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    const bar = customer.page.getByRole("region", { name: "Your support session" });
    await bar.getByText("Tom Tech (Tether) can see what you are sharing. View only", { exact: false }).waitFor();

    const figures = await framesArrive(screen);
    expect(figures.width).toBeGreaterThan(0);
    expect(figures.height).toBeGreaterThan(0);
    const { page } = technician;
    await page.getByText("The customer is sharing their whole screen. View only.").waitFor();
    await expect.poll(() => textOf(stat(page, "Connection")), { timeout: 5_000 }).toBe("Direct");
    // No TURN_PROVIDER: the figures say there is no relay to fall back on.
    expect(await textOf(stat(page, "Relay"))).toBe("Off — direct connections only");
    await expect
      .poll(() => textOf(stat(page, "Resolution")), { timeout: 5_000 })
      .toBe(`${figures.width} × ${figures.height}`);
    await expect.poll(() => textOf(stat(page, "Round trip")), { timeout: 5_000 }).toMatch(/^\d+ ms$/);
    await expect.poll(() => textOf(stat(page, "Bitrate")), { timeout: 5_000 }).toMatch(/^\d+ kbit\/s$/);
    await expect.poll(() => textOf(stat(page, "Frames per second")), { timeout: 5_000 }).toMatch(/^[1-9]\d*$/);
    // Fit scales the picture into the frame; 1:1 shows it pixel for pixel.
    const shownWidth = () => screen.evaluate((v) => (v as HTMLVideoElement).getBoundingClientRect().width);
    const actualSize = page.getByRole("button", { name: "Actual size (1:1)" });
    expect(await actualSize.getAttribute("aria-pressed")).toBe("false");
    await actualSize.click();
    expect(await actualSize.getAttribute("aria-pressed")).toBe("true");
    expect(await shownWidth()).toBe(figures.width);
    await actualSize.click();
    expect(await shownWidth()).not.toBe(figures.width);
    // The customer sees the technician's presence and the connection's quality.
    await expect
      .poll(() => textOf(bar), { timeout: 5_000 })
      .toMatch(/Connection: direct · good quality · \d+ ms round trip/);
  });

  it("sends the screen tuned for text: detail hint, resolution kept under pressure, a bitrate cap, VP9 first", async () => {
    const sender = await customer.page.evaluate(() => {
      const made = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections;
      const video = made
        .at(-1)
        ?.getSenders()
        .find((s) => s.track?.kind === "video");
      const parameters = video?.getParameters();
      return {
        contentHint: video?.track?.contentHint,
        degradationPreference: parameters?.degradationPreference,
        maxBitrate: parameters?.encodings[0]?.maxBitrate,
        codec: parameters?.codecs[0]?.mimeType,
      };
    });
    expect(sender).toEqual({
      contentHint: "detail",
      degradationPreference: "maintain-resolution",
      maxBitrate: 2_500_000,
      codec: "video/VP9",
    });
    await expect.poll(() => textOf(stat(technician.page, "Codec")), { timeout: 5_000 }).toBe("VP9");
  });

  it("stops the frames on Pause and restarts them on Resume", async () => {
    const bar = customer.page.getByRole("region", { name: "Your support session" });
    await bar.getByRole("button", { name: "Pause" }).click();
    await technician.page.getByText("Paused by the customer.").waitFor();
    // Give frames already in flight a moment, then none may arrive.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await isStill(screen, 1_500)).toBe(true);

    await bar.getByRole("button", { name: "Resume" }).click();
    await framesArrive(screen);
    await technician.page.getByText("The customer is sharing their whole screen. View only.").waitFor();
  });

  it("rejoins the session when the technician reloads the viewer, and frames arrive again", async () => {
    const { page } = technician;
    const url = page.url();
    await page.reload();
    expect(page.url()).toBe(url);
    await page.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
    await framesArrive(page.getByLabel("Customer's screen"));
    await page.getByText("The customer is sharing their whole screen. View only.").waitFor();
  });

  it("notices the browser's own Stop sharing and tells the technician", async () => {
    const { page } = customer;
    // What Chrome's "Stop sharing" bar does: the capture track ends.
    await page.getByLabel("Preview of what you are sharing").evaluate((element) => {
      const track = ((element as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0];
      track?.stop();
      track?.dispatchEvent(new Event("ended"));
    });
    await page.getByText("You stopped sharing from the browser's control.").waitFor();
    await technician.page.getByText("The customer stopped sharing.").first().waitFor();
    expect(await isStill(screen, 1_500)).toBe(true);

    const bar = page.getByRole("region", { name: "Your support session" });
    await bar.getByRole("button", { name: "Share again" }).click();
    await framesArrive(screen);
  });

  it("restarts ICE when the network path drops, and the same session carries on", async () => {
    const { page } = technician;
    const heading = await textOf(page.getByRole("heading", { level: 1 }));
    expect(await textOf(stat(page, "ICE restarts"))).toBe("0");
    setLoopback(false);
    try {
      await page.getByText("Connection interrupted; reconnecting…").waitFor({ timeout: 30_000 });
      await customer.page.getByText("Connection interrupted; reconnecting…").waitFor({ timeout: 30_000 });
      // Longer than the customer's page waits before it gives up on the old path and offers an ICE restart.
      await sleep(3_500);
    } finally {
      setLoopback(true);
    }
    await expect.poll(() => textOf(stat(page, "ICE restarts")), { timeout: 30_000 }).not.toBe("0");
    await framesArrive(screen);
    await expect.poll(() => textOf(stat(page, "Connection")), { timeout: 5_000 }).toBe("Direct");
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe(heading);
    await page.getByText("The customer is sharing their whole screen. View only.").waitFor();
  });

  it("ends the session on both sides when the customer clicks End", async () => {
    await customer.page.getByRole("button", { name: "End session" }).click();
    await customer.page.getByRole("heading", { name: "Session ended" }).waitFor();
    await customer.page.getByText("You ended the session.", { exact: false }).waitFor();
    await technician.page.getByText("The customer ended the session.").waitFor();
    expect(await customer.page.getByRole("region", { name: "Your support session" }).count()).toBe(0);
  });

  it("ends the session, having shared nothing, when the customer does not allow", async () => {
    const { page } = technician;
    await page.getByRole("link", { name: "Back to console" }).click();
    await page.getByRole("button", { name: "New session" }).click();
    const linkField = page.getByLabel("Session link", { exact: true });
    await expect.poll(() => linkField.inputValue(), { timeout: 5_000 }).toMatch(/\/j\/\d{9}$/);
    expect(await linkField.inputValue()).not.toBe(link);
    const declining = await newPerson(browser, server);
    people.push(declining);
    const declinedLink = await linkField.inputValue();
    await open(declining.page, declinedLink);
    await declining.page.getByRole("button", { name: "Don't allow" }).click();
    await declining.page.getByRole("heading", { name: "Session ended" }).waitFor();
    await declining.page
      .getByText("You did not allow sharing, so the session has ended. Nothing was shared.")
      .waitFor();
  });

  it("violated no Content-Security-Policy and threw nothing", () => {
    expect(pageFaults(people)).toEqual([]);
  });
});
