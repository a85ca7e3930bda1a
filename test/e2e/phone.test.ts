import { type Browser, type CDPSession, devices, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "../helpers/node/axe.ts";
import { launchBrowser, watchPage } from "../helpers/node/browser.ts";
import {
  createSession,
  framesArrive,
  open,
  type Person,
  pageFaults,
  SESSION_LINK,
  STEP_TIMEOUT_MS,
  textOf,
} from "../helpers/node/people.ts";
import { keepPeerConnections } from "../helpers/node/rtc-stats.ts";
import { useStage } from "../helpers/node/stage.ts";

// A customer on a phone, in Chromium's mobile emulation (a Pixel 7: its user agent, a small touch screen) with
// Chromium's fake camera, and getDisplayMedia taken away as phone browsers have none: the page says at once that it
// can share the camera and not the screen, the technician is told before Allow, and after Allow the camera's frames
// reach the viewer with the same bar, Pause, End and pointer. The technician's viewer zooms with a pinch (touches sent
// through the DevTools protocol), the keyboard and its buttons, and the pointer stays on the same point of the picture.

const stage = useStage("Phoebe Field", { vars: { MAX_SESSIONS_PER_TECHNICIAN: "50", RATE_HANDSHAKE_PER_MIN: "1000" } });

/** A phone's browser profile on `browser`: a Pixel 7's screen, touch and user agent, and no screen capture. */
async function newPhone(browser: Browser = stage.browser): Promise<Person> {
  const { defaultBrowserType: _, ...pixel } = devices["Pixel 7"];
  const context = await browser.newContext({ ...pixel, baseURL: stage.server.origin });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.addInitScript(() => {
    // What a phone's browser lacks: the page must tell by the feature itself, whatever the user agent says.
    Reflect.deleteProperty(MediaDevices.prototype, "getDisplayMedia");
    addEventListener("securitypolicyviolation", (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  const phone = { context, page, watch: watchPage(page) };
  stage.people.push(phone);
  return phone;
}

/** Fails with axe's findings unless `page` passes in both colour schemes, and needs no sideways scrolling. */
async function expectAccessible(page: Page, state: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await axeViolations(page), `${state} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: null });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `${state}: pixels to scroll sideways`).toBe(0);
}

/** Resolves once `video` presents a frame (requestVideoFrameCallback): one decoded and shown, not merely received. */
function presentsFrame(video: Locator): Promise<number> {
  return video.evaluate(
    (element) =>
      new Promise<number>((resolve) =>
        (element as HTMLVideoElement).requestVideoFrameCallback((_, metadata) => resolve(metadata.presentedFrames)),
      ),
  );
}

/** The technician creates a session and opens its viewer; a phone opens the link. */
async function phoneOpensLink(phone?: Person): Promise<{ tech: Page; phone: Person; code: string }> {
  const tech = stage.technician.page;
  const link = await createSession(tech);
  await tech.getByRole("link", { name: "View this session" }).click();
  const person = phone ?? (await newPhone());
  await open(person.page, link);
  return { tech, phone: person, code: SESSION_LINK.exec(link)?.[1] ?? "" };
}

/** A phone that has allowed its camera, its frames arriving in the viewer. */
async function phoneSharing(phone?: Person): Promise<{ tech: Page; phone: Person; code: string }> {
  const session = await phoneOpensLink(phone);
  await session.phone.page.getByRole("button", { name: "Allow and turn on the camera" }).tap();
  await framesArrive(session.tech.getByLabel("Customer's screen"));
  return session;
}

/** The consent's permissions in session `code`'s audit log, in order, as the signed-in admin reads them. */
function consentsOf(page: Page, code: string): Promise<string[]> {
  return page.evaluate(async (session) => {
    const res = await fetch(`/api/audit/entries?session=${session}`);
    const { entries } = (await res.json()) as { entries: string[] };
    return entries
      .map((line) => JSON.parse(line) as { type: string; data?: { permission?: string } })
      .filter((entry) => entry.type === "consent_given" || entry.type === "consent_withdrawn")
      .map((entry) => `${entry.type}:${entry.data?.permission}`);
  }, code);
}

/** Where the customer's mirror shows the technician's pointer: [x, y] of the picture, 0–1. */
async function mirroredPointer(phone: Page): Promise<[number, number]> {
  const mirror = phone.locator("#preview-annotations");
  await expect.poll(() => mirror.getAttribute("data-pointer")).toMatch(/^\d\.\d+,\d\.\d+$/);
  const [x = Number.NaN, y = Number.NaN] = ((await mirror.getAttribute("data-pointer")) ?? "").split(",").map(Number);
  return [x, y];
}

/** Moves `page`'s mouse to the point (fx, fy) of `element`'s box as the page shows it now (transforms included). */
async function moveWithin(page: Page, element: Locator, fx: number, fy: number): Promise<void> {
  await element.scrollIntoViewIfNeeded();
  const box = await element.boundingBox();
  if (!box) throw new Error("no box");
  // One step: the pointer goes straight there, with no positions on the way for the customer's page to show.
  await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height);
}

/** A two-finger pinch on `page` about (x, y): the fingers from `from` px apart to `to` px apart, in a few moves. */
async function pinchAt(cdp: CDPSession, x: number, y: number, from: number, to: number): Promise<void> {
  const fingers = (spread: number) => [
    { x: x - spread / 2, y, id: 0 },
    { x: x + spread / 2, y, id: 1 },
  ];
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: fingers(from) });
  for (let step = 1; step <= 5; step++) {
    await cdp.send("Input.dispatchTouchEvent", {
      type: "touchMove",
      touchPoints: fingers(from + ((to - from) * step) / 5),
    });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
}

/** A one-finger drag on `page` from (x, y) by (dx, dy), in a few moves. */
async function dragAt(cdp: CDPSession, x: number, y: number, dx: number, dy: number): Promise<void> {
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x, y, id: 0 }] });
  for (let step = 1; step <= 4; step++) {
    const point = { x: x + (dx * step) / 4, y: y + (dy * step) / 4, id: 0 };
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [point] });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
}

describe("a customer on a phone", () => {
  it("says at once that the camera is what it can share, tells the technician, and the camera reaches the viewer", async () => {
    const { tech, phone, code } = await phoneOpensLink();
    const { page } = phone;
    const consent = page.getByRole("region", { name: "Who is asking to see through your camera" });
    await consent.getByText("Phoebe Field", { exact: true }).waitFor();
    await consent.getByText("This phone's browser cannot share its screen.", { exact: false }).waitFor();
    expect(await page.getByRole("button", { name: "Allow and choose what to share" }).count()).toBe(0);
    // The technician hears it before Allow, from the room.
    await tech.getByText("The customer is on a phone: camera only.", { exact: false }).waitFor();
    await tech.getByText("Waiting for the customer to allow the camera…").waitFor();
    await expectAccessible(page, "phone, consent");

    await page.getByRole("button", { name: "Allow and turn on the camera" }).tap();
    const screen = tech.getByLabel("Customer's screen");
    await framesArrive(screen);
    expect(await presentsFrame(screen)).toBeGreaterThan(0);
    await tech.getByText("The customer is sharing their camera. View only.").waitFor();
    const bar = page.getByRole("region", { name: "Your support session" });
    await bar.getByRole("button", { name: "Pause" }).waitFor();
    // One fake camera, without a light: nothing to switch to, no light to turn on; nothing else to pick either.
    for (const name of ["Switch camera", "Camera light", "Share something else"]) {
      expect(await bar.getByRole("button", { name }).count(), name).toBe(0);
    }
    // The technician's pointer shows over the phone's own picture.
    await tech.getByRole("button", { name: "Point", exact: true }).click();
    await moveWithin(tech, screen, 0.5, 0.5);
    const [x, y] = await mirroredPointer(page);
    expect(Math.abs(x - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(y - 0.5)).toBeLessThan(0.05);
    await tech.getByRole("button", { name: "Point", exact: true }).click();
    await expectAccessible(page, "phone, sharing the camera");

    await bar.getByRole("button", { name: "Pause" }).tap();
    await tech.getByText("The customer paused sharing.").waitFor();
    await bar.getByRole("button", { name: "Resume" }).tap();
    await tech.getByText("The customer is sharing their camera. View only.").waitFor();
    await bar.getByRole("button", { name: "End session" }).tap();
    await page.getByRole("heading", { name: "Session ended" }).waitFor();
    await tech.getByText("The customer ended the session.").waitFor();
    // The camera is a consent of its own in the audit log, not the screen's.
    await expect.poll(() => consentsOf(tech, code)).toEqual(["consent_given:camera"]);
  });

  it("says what to do when the camera is refused, and stays at the consent", async () => {
    const phone = await newPhone();
    // The person (or the phone's settings) refuses the camera.
    await phone.context.addInitScript(() => {
      MediaDevices.prototype.getUserMedia = () =>
        Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
    });
    const { tech } = await phoneOpensLink(phone);
    await phone.page.getByRole("button", { name: "Allow and turn on the camera" }).tap();
    await phone.page
      .getByRole("status")
      .getByText("Nothing was shared: the camera was not allowed.", { exact: false })
      .waitFor();
    await phone.page.getByRole("region", { name: "Who is asking to see through your camera" }).waitFor();
    await tech.getByText("Waiting for the customer to allow the camera…").waitFor();
  });

  it("says on the home page that Get help on this phone offers the camera", async () => {
    const { page } = await newPhone();
    await open(page, "/");
    await page.getByText("On this phone you can share your camera, not your screen", { exact: false }).waitFor();
    await expectAccessible(page, "phone, home");
  });

  it("switches to the other camera when the phone has two, and back, without a new connection", async () => {
    // Two fake cameras (the last value of the flag wins).
    const browser = await launchBrowser(["--use-fake-device-for-media-stream=device-count=2"]);
    try {
      const person = await newPhone(browser);
      await keepPeerConnections(person.context);
      const { tech, phone } = await phoneSharing(person);
      const preview = phone.page.getByLabel("Preview of what you are sharing");
      const deviceOf = () =>
        preview.evaluate(
          (v) => ((v as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.getSettings().deviceId,
        );
      const sentOf = () =>
        phone.page.evaluate(() => {
          const made = (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections;
          const sender = made
            .at(-1)
            ?.getSenders()
            .find((s) => s.track?.kind === "video");
          return `${made.length} ${sender?.track?.getSettings().deviceId}`;
        });
      const first = await deviceOf();
      const switchCamera = phone.page.getByRole("button", { name: "Switch camera" });
      await switchCamera.tap();
      await expect.poll(deviceOf).not.toBe(first);
      const second = await deviceOf();
      // The same connection sends the other camera now.
      await expect.poll(sentOf).toBe(`1 ${second}`);
      // Chromium's second fake camera gives depth frames its encoder does not take; the first one's reach the viewer
      // again once switched back.
      await switchCamera.tap();
      await expect.poll(sentOf).toBe(`1 ${first}`);
      await framesArrive(tech.getByLabel("Customer's screen"));
      await phone.page.getByRole("button", { name: "End session" }).tap();
      await tech.getByText("The customer ended the session.").waitFor();
      expect(pageFaults([person]), "CSP violations and uncaught exceptions").toEqual([]);
    } finally {
      await Promise.all(stage.people.splice(0).map((person) => person.context.close()));
      await browser.close();
    }
  });
});

describe("the viewer on a tablet", () => {
  let cdp: CDPSession;
  beforeAll(async () => {
    const tech = stage.technician.page;
    cdp = await tech.context().newCDPSession(tech);
    await cdp.send("Emulation.setTouchEmulationEnabled", { enabled: true, maxTouchPoints: 5 });
  });
  afterAll(async () => {
    await cdp?.send("Emulation.setTouchEmulationEnabled", { enabled: false }).catch(() => undefined);
  });

  it("zooms with a pinch, pans with a finger, zooms with the keyboard and its buttons, and the pointer stays on the same point of the picture", async () => {
    const { tech, phone } = await phoneSharing();
    // A tablet's screen: the viewer fits it without sideways scrolling.
    const desktop = tech.viewportSize();
    await tech.setViewportSize(devices["iPad (gen 7)"].viewport);
    const stageArea = tech.getByRole("group", { name: /^Customer's picture/ });
    const screen = tech.getByLabel("Customer's screen");
    const zoom = () => stageArea.getAttribute("data-zoom");
    expect(await zoom()).toBe("1.00");

    await stageArea.scrollIntoViewIfNeeded();
    const box = await stageArea.boundingBox();
    if (!box) throw new Error("no stage");
    await pinchAt(cdp, box.x + box.width / 2, box.y + box.height / 2, 60, 180);
    await expect.poll(async () => Number(await zoom())).toBeGreaterThan(2);
    await expectAccessible(tech, "viewer on a tablet, zoomed in");
    // One finger pans the zoomed picture, at the same zoom.
    const zoomed = await zoom();
    const transform = () => screen.evaluate((v) => (v as HTMLElement).style.transform);
    const before = await transform();
    await dragAt(cdp, box.x + box.width / 2, box.y + box.height / 2, 80, 40);
    await expect.poll(transform).not.toBe(before);
    expect(await zoom()).toBe(zoomed);

    await stageArea.focus();
    await tech.keyboard.press("0");
    await expect.poll(zoom).toBe("1.00");
    await tech.keyboard.press("+");
    await expect.poll(zoom).toBe("1.25");
    // The arrows move the zoomed picture.
    const centred = await transform();
    await tech.keyboard.press("ArrowRight");
    await expect.poll(transform).not.toBe(centred);
    await tech.keyboard.press("-");
    await expect.poll(zoom).toBe("1.00");

    // A point of the picture, pointed at unzoomed and again zoomed in: the customer sees the pointer at the same place.
    await tech.getByRole("button", { name: "Point", exact: true }).click();
    await moveWithin(tech, screen, 0.3, 0.4);
    const pointed = await mirroredPointer(phone.page);
    await tech.mouse.move(1, 1);
    await expect.poll(() => phone.page.locator("#preview-annotations").getAttribute("data-pointer")).toBe("");
    await tech.getByRole("button", { name: "Zoom in" }).click();
    await tech.getByRole("button", { name: "Zoom in" }).click();
    await expect.poll(zoom).toBe("1.56");
    await moveWithin(tech, screen, 0.3, 0.4);
    await expect
      .poll(async () => {
        const [x, y] = await mirroredPointer(phone.page);
        return Math.max(Math.abs(x - pointed[0]), Math.abs(y - pointed[1]));
      })
      .toBeLessThan(0.01);
    expect(await textOf(tech.locator("#viewer-capture"))).toMatch(/^The customer is on a phone: camera only\./);
    await tech.getByRole("button", { name: "Reset zoom" }).click();
    await expect.poll(zoom).toBe("1.00");
    await tech.getByRole("button", { name: "Point", exact: true }).click();
    if (desktop) await tech.setViewportSize(desktop);
  });
});
