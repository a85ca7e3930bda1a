import { execFileSync } from "node:child_process";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  auditTypesOf,
  createSession,
  framesArrive,
  newPerson,
  open,
  type Person,
  textOf,
  videoFigures,
} from "../helpers/node/people.ts";
import { keepPeerConnections, localIceUfrag, videoSending } from "../helpers/node/rtc-stats.ts";
import { useStage, viewNewSession } from "../helpers/node/stage.ts";

// The story of a session link, one chapter per test: the technician creates a session and opens the viewer, the
// customer opens the link, sees who is asking, allows, and the technician sees the screen; then pause, reload, the
// browser's own Stop sharing, a network drop, End, and Don't allow. Each test starts its own session (one
// technician serves them all), so each verdict stands alone.

// Every test starts a session, and not all of them end theirs; every one of them is a handshake from this address.
const stage = useStage("Tom Tech", { vars: { MAX_SESSIONS_PER_TECHNICIAN: "50", RATE_HANDSHAKE_PER_MIN: "1000" } });

/**
 * Takes this private network namespace's loopback down or up: every packet between the two browsers (and to the
 * server) stops, as when a laptop leaves its Wi-Fi. Only possible because the suite runs in its own namespace.
 */
function setLoopback(isUp: boolean): void {
  execFileSync("ip", ["link", "set", "lo", isUp ? "up" : "down"]);
}

/** One figure in the viewer's connection details. */
function stat(page: Page, name: string): Locator {
  return page.getByRole("region", { name: "Connection details" }).getByLabel(name, { exact: true });
}

/** A customer opens `link`; their page keeps its connections, so a test can read how its sender is set up. */
async function customerOpens(link: string): Promise<Person> {
  const customer = await newPerson(stage.browser, stage.server);
  stage.people.push(customer);
  await keepPeerConnections(customer.context);
  await open(customer.page, link);
  return customer;
}

/** A new session whose customer has allowed sharing and whose frames reach the viewer. */
async function sharing(): Promise<{ customer: Person; screen: Locator }> {
  const customer = await customerOpens(await viewNewSession(stage, "CASE-7"));
  await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
  const screen = stage.technician.page.getByLabel("Customer's screen");
  await framesArrive(screen);
  return { customer, screen };
}

describe("screen sharing over a session link", () => {
  it("lets the technician create a session, open its viewer and go back to the console", async () => {
    await viewNewSession(stage, "CASE-7");
    const { page } = stage.technician;
    await page.getByText("The customer has not opened the session yet.").waitFor();
    await page.getByRole("link", { name: "Back to console" }).click();
    await page.getByRole("button", { name: "New session" }).waitFor();
  });

  it("shows the customer who is asking, and a warning, before anything is shared", async () => {
    const link = await viewNewSession(stage, "CASE-7");
    const customer = await newPerson(stage.browser, stage.server);
    stage.people.push(customer);
    const { page } = customer;
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
    await stage.technician.page.getByText("The customer is connected and deciding whether to allow viewing.").waitFor();
    expect(await videoFigures(stage.technician.page.getByLabel("Customer's screen"))).toEqual({
      frames: 0,
      width: 0,
      height: 0,
    });
  });

  it("shares the screen once the customer allows, and the technician sees decoded frames", async () => {
    const customer = await customerOpens(await viewNewSession(stage, "CASE-7"));
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    const bar = customer.page.getByRole("region", { name: "Your support session" });
    await bar.getByText("Tom Tech (Tether) can see what you are sharing. View only", { exact: false }).waitFor();

    const { page } = stage.technician;
    const screen = page.getByLabel("Customer's screen");
    const figures = await framesArrive(screen);
    expect(figures.width).toBeGreaterThan(0);
    expect(figures.height).toBeGreaterThan(0);
    await page.getByText("The customer is sharing their whole screen. View only.").waitFor();
    await expect.poll(() => textOf(stat(page, "Connection"))).toBe("Direct");
    // No TURN_PROVIDER: the figures say there is no relay to fall back on.
    expect(await textOf(stat(page, "Relay"))).toBe("Off — direct connections only");
    await expect.poll(() => textOf(stat(page, "Resolution"))).toBe(`${figures.width} × ${figures.height}`);
    await expect.poll(() => textOf(stat(page, "Round trip"))).toMatch(/^\d+ ms$/);
    await expect.poll(() => textOf(stat(page, "Bitrate"))).toMatch(/^\d{1,3}(,\d{3})* kbit\/s$/);
    await expect.poll(() => textOf(stat(page, "Frames per second"))).toMatch(/^[1-9]\d*$/);
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
    await expect.poll(() => textOf(bar)).toMatch(/Connection: direct · good quality · \d+ ms round trip/);
  });

  it("sends the screen tuned for text: detail hint, resolution kept under pressure, a bitrate cap, AV1 first", async () => {
    const { customer } = await sharing();
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
      codec: "video/AV1",
    });
    await expect.poll(() => textOf(stat(stage.technician.page, "Codec"))).toBe("AV1");
  });

  it("stops the frames on Pause and restarts them on Resume", async () => {
    const { customer, screen } = await sharing();
    const bar = customer.page.getByRole("region", { name: "Your support session" });
    await bar.getByRole("button", { name: "Pause" }).click();
    await stage.technician.page.getByText("Paused by the customer.").waitFor();
    // Pause takes the track off the sender, so nothing is encoded and not a frame leaves for the viewer.
    await expect.poll(async () => (await videoSending(customer.page)).hasTrack).toBe(false);
    // The sentinel is the capture itself: it keeps making frames (the preview shows them) and none is sent. The
    // first batch lets a frame that was already in the encoder go out.
    const preview = customer.page.getByLabel("Preview of what you are sharing");
    await framesArrive(preview);
    const { framesSent } = await videoSending(customer.page);
    await framesArrive(preview);
    expect((await videoSending(customer.page)).framesSent).toBe(framesSent);

    await bar.getByRole("button", { name: "Resume" }).click();
    await framesArrive(screen);
    await stage.technician.page.getByText("The customer is sharing their whole screen. View only.").waitFor();
  });

  it("rejoins the session when the technician reloads the viewer, and frames arrive again", async () => {
    await sharing();
    const { page } = stage.technician;
    const url = page.url();
    await page.reload();
    expect(page.url()).toBe(url);
    await page.getByRole("heading", { name: /^Session \d{3} \d{3} \d{3}$/ }).waitFor();
    await framesArrive(page.getByLabel("Customer's screen"));
    await page.getByText("The customer is sharing their whole screen. View only.").waitFor();
  });

  it("notices the browser's own Stop sharing and tells the technician", async () => {
    const { customer, screen } = await sharing();
    const { page } = customer;
    // What Chrome's "Stop sharing" bar does: the capture track ends.
    await page.getByLabel("Preview of what you are sharing").evaluate((element) => {
      const track = ((element as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0];
      track?.stop();
      track?.dispatchEvent(new Event("ended"));
    });
    await page.getByText("You stopped sharing from the browser's control.").waitFor();
    await stage.technician.page.getByText("The customer stopped sharing.").first().waitFor();
    // The sender carries nothing any more: there is no capture left to send a frame from.
    await expect.poll(async () => (await videoSending(page)).hasTrack).toBe(false);

    const bar = page.getByRole("region", { name: "Your support session" });
    await bar.getByRole("button", { name: "Share again" }).click();
    await framesArrive(screen);
    // The audit log has the customer's consent to viewing: given, withdrawn by the browser's Stop, given again.
    const code = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    await expect
      .poll(async () => (await auditTypesOf(stage.technician.page, code)).filter((t) => t.startsWith("consent_")))
      .toEqual(["consent_given", "consent_withdrawn", "consent_given"]);
  });

  it("restarts ICE when the network path drops, and the same session carries on", async () => {
    const { customer, screen } = await sharing();
    const { page } = stage.technician;
    const heading = await textOf(page.getByRole("heading", { level: 1 }));
    expect(await textOf(stat(page, "ICE restarts"))).toBe("0");
    const ufrag = await localIceUfrag(customer.page);
    setLoopback(false);
    try {
      await page.getByText("Connection interrupted; reconnecting…").waitFor();
      await customer.page.getByText("Connection interrupted; reconnecting…").waitFor();
      // The customer's page gives up on the old path and offers an ICE restart (new credentials) while the network is
      // still down; without that, the path could simply come back when the network does.
      await expect.poll(() => localIceUfrag(customer.page)).not.toBe(ufrag);
    } finally {
      setLoopback(true);
    }
    await expect.poll(() => textOf(stat(page, "ICE restarts"))).not.toBe("0");
    await framesArrive(screen);
    await expect.poll(() => textOf(stat(page, "Connection"))).toBe("Direct");
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe(heading);
    await page.getByText("The customer is sharing their whole screen. View only.").waitFor();
  });

  it("ends the session on both sides when the customer clicks End", async () => {
    const { customer } = await sharing();
    await customer.page.getByRole("button", { name: "End session" }).click();
    await customer.page.getByRole("heading", { name: "Session ended" }).waitFor();
    await customer.page.getByText("You ended the session.", { exact: false }).waitFor();
    await stage.technician.page.getByText("The customer ended the session.").waitFor();
    expect(await customer.page.getByRole("region", { name: "Your support session" }).count()).toBe(0);
  });

  it("ends the session, having shared nothing, when the customer does not allow", async () => {
    const declining = await customerOpens(await createSession(stage.technician.page));
    await declining.page.getByRole("button", { name: "Don't allow" }).click();
    await declining.page.getByRole("heading", { name: "Session ended" }).waitFor();
    await declining.page
      .getByText("You did not allow sharing, so the session has ended. Nothing was shared.")
      .waitFor();
  });
});
