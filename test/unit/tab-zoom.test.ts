import { describe, expect, it } from "vitest";
import type { TabZoom, ZoomStep } from "#protocol/control.ts";
import { MAX_CONTROL_BYTES, parseControlMessage } from "#protocol/control.ts";
import { Consent } from "#protocol/room.ts";
import {
  STEP_BURST,
  STEP_INTERVAL_MS,
  StepLimiter,
  TabZoomRules,
  type TabZoomView,
  tabZoomState,
  type ZoomPort,
  zoomReach,
} from "../../client/core/tab-zoom.ts";

// The technician's zoom of a browser tab the customer shares: its two control messages, when it is offered, how far
// it goes, and how often the customer's page applies a step, on a clock the test moves.

const T0 = 1_800_000_000_000;
/** Chromium 156's zoom levels, as CaptureController.getSupportedZoomLevels() gives them. */
const CHROMIUM_LEVELS = [25, 33, 50, 66, 75, 80, 90, 100, 110, 125, 150, 175, 200, 250, 300, 400, 500];

describe("the tab zoom messages", () => {
  it("carry the customer's state and the technician's steps", () => {
    const state = { type: "tabZoom", state: "allowed", level: 125, canZoomIn: true, canZoomOut: true };
    expect(parseControlMessage(JSON.stringify(state))).toEqual({ ok: true, msg: state });
    const unknown = { type: "tabZoom", state: "unavailable", level: null, canZoomIn: false, canZoomOut: false };
    expect(parseControlMessage(JSON.stringify(unknown)).ok).toBe(true);
    for (const step of ["in", "out", "reset"]) {
      expect(parseControlMessage(JSON.stringify({ type: "tabZoomStep", step }))).toEqual({
        ok: true,
        msg: { type: "tabZoomStep", step },
      });
    }
  });

  it("refuse what is out of range, unknown or too large", () => {
    const bad = [
      { type: "tabZoomStep", step: "left" },
      { type: "tabZoomStep" },
      { type: "tabZoom", state: "allowed", level: 0, canZoomIn: true, canZoomOut: true },
      { type: "tabZoom", state: "allowed", level: 1_001, canZoomIn: true, canZoomOut: true },
      { type: "tabZoom", state: "allowed", level: 12.5, canZoomIn: true, canZoomOut: true },
      { type: "tabZoom", state: "granted", level: 100, canZoomIn: true, canZoomOut: true },
      { type: "tabZoom", state: "allowed", level: 100 },
    ];
    for (const msg of bad) expect(parseControlMessage(JSON.stringify(msg)).ok, JSON.stringify(msg)).toBe(false);
    // A step's known fields pass; what else it carries is not read.
    expect(parseControlMessage(JSON.stringify({ type: "tabZoomStep", step: "in", by: 5 }))).toEqual({
      ok: true,
      msg: { type: "tabZoomStep", step: "in" },
    });
    const padded = JSON.stringify({ type: "tabZoomStep", step: "in", pad: "x".repeat(MAX_CONTROL_BYTES) });
    const oversized = parseControlMessage(padded);
    expect(oversized.ok).toBe(false);
    if (!oversized.ok) expect(oversized.error.code).toBe("MESSAGE_TOO_LARGE");
  });

  it("give the room a consent of its own to log", () => {
    expect(Consent.safeParse({ type: "consent", permission: "zoom", isGiven: true }).success).toBe(true);
  });
});

describe("when the technician may zoom", () => {
  const live = { isSupported: true, surface: "browser", isLive: true, isAllowed: false } as const;

  it("is offered for a live tab share, and allowed only once the customer allowed it", () => {
    expect(tabZoomState(live)).toBe("offered");
    expect(tabZoomState({ ...live, isAllowed: true })).toBe("allowed");
  });

  it("is not while paused or stopped, nor for a screen, a window or a camera, even after consent", () => {
    expect(tabZoomState({ ...live, isAllowed: true, isLive: false })).toBe("unavailable");
    for (const surface of ["monitor", "window", "camera", "unknown"] as const) {
      expect(tabZoomState({ ...live, isAllowed: true, surface })).toBe("unavailable");
    }
  });

  it("says nothing at all where the browser cannot zoom a captured tab", () => {
    expect(tabZoomState({ ...live, isSupported: false })).toBeNull();
    expect(tabZoomState({ ...live, isSupported: false, isAllowed: true })).toBeNull();
  });
});

describe("how far the zoom goes", () => {
  it("steps in and out between the browser's levels, and stops at either end", () => {
    expect(zoomReach(CHROMIUM_LEVELS, 100)).toEqual({ canZoomIn: true, canZoomOut: true });
    expect(zoomReach(CHROMIUM_LEVELS, 500)).toEqual({ canZoomIn: false, canZoomOut: true });
    expect(zoomReach(CHROMIUM_LEVELS, 25)).toEqual({ canZoomIn: true, canZoomOut: false });
  });

  it("offers no step when the level or the levels are unknown", () => {
    expect(zoomReach(CHROMIUM_LEVELS, null)).toEqual({ canZoomIn: false, canZoomOut: false });
    expect(zoomReach([], 100)).toEqual({ canZoomIn: false, canZoomOut: false });
  });
});

describe("the step limiter", () => {
  it("lets a burst through, then one step per interval, and never saves up more than a burst", () => {
    let now = T0;
    const limiter = new StepLimiter(() => now);
    for (let i = 0; i < STEP_BURST; i++) expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(false);
    now += STEP_INTERVAL_MS - 1;
    expect(limiter.take()).toBe(false);
    now += 1;
    expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(false);
    // A long pause earns a burst again, not more.
    now += 100 * STEP_INTERVAL_MS;
    for (let i = 0; i < STEP_BURST; i++) expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(false);
  });

  it("applies a flood of steps at the steady rate only", () => {
    let now = T0;
    const limiter = new StepLimiter(() => now);
    let taken = 0;
    // 1,000 steps a second for ten seconds.
    for (let ms = 0; ms < 10_000; ms++) {
      now = T0 + ms;
      if (limiter.take()) taken++;
    }
    expect(taken).toBe(STEP_BURST + Math.floor(9_999 / STEP_INTERVAL_MS));
  });
});

/** A captured tab's controller as the rules see it: it steps through Chromium's levels, and says so. */
function fakePort(start = 100): ZoomPort & { steps: ZoomStep[] } {
  let level = start;
  const steps: ZoomStep[] = [];
  return {
    steps,
    level: () => level,
    levels: () => CHROMIUM_LEVELS,
    async step(step) {
      steps.push(step);
      const at = CHROMIUM_LEVELS.indexOf(level);
      const next = step === "reset" ? 100 : CHROMIUM_LEVELS[at + (step === "in" ? 1 : -1)];
      if (next === undefined) throw new Error("InvalidStateError");
      level = next;
    },
  };
}

/** The rules on a clock the test moves, with what they sent, told the room and showed. */
function rules(isSupported = true) {
  const sent: TabZoom[] = [];
  const consents: boolean[] = [];
  const views: TabZoomView[] = [];
  const clock = { now: T0 };
  const r = new TabZoomRules({
    isSupported,
    send: (msg) => sent.push(msg),
    giveConsent: (isGiven) => consents.push(isGiven),
    onChange: (view) => views.push(view),
    now: () => clock.now,
  });
  return { r, sent, consents, views, clock, last: () => sent.at(-1) };
}

describe("the customer's side of the tab zoom", () => {
  it("offers a live tab, and takes the technician's steps only once the customer allowed it", async () => {
    const { r, last, consents, views } = rules();
    const port = fakePort();
    r.use({ surface: "browser", port });
    r.setLive(true);
    expect(last()).toEqual({ type: "tabZoom", state: "offered", level: 100, canZoomIn: false, canZoomOut: false });
    await r.step("in");
    expect(port.steps).toEqual([]);
    expect(last()?.state).toBe("offered");

    expect(r.offeredPort()).toBe(port);
    r.allow(port);
    expect(consents).toEqual([true]);
    expect(views.at(-1)).toEqual({ state: "allowed", isAllowed: true, level: 100 });
    expect(last()).toEqual({ type: "tabZoom", state: "allowed", level: 100, canZoomIn: true, canZoomOut: true });
    await r.step("in");
    expect(port.steps).toEqual(["in"]);
    expect(last()).toMatchObject({ state: "allowed", level: 110 });
  });

  it("says where the tab is when a step goes past the end of the range", async () => {
    const { r, last } = rules();
    const port = fakePort(500);
    r.use({ surface: "browser", port });
    r.setLive(true);
    r.allow(port);
    expect(last()).toMatchObject({ level: 500, canZoomIn: false, canZoomOut: true });
    await r.step("in");
    expect(last()).toMatchObject({ state: "allowed", level: 500, canZoomIn: false });
  });

  it("offers nothing while paused, keeps the consent, and gives it back on resume", async () => {
    const { r, last, consents, views } = rules();
    const port = fakePort();
    r.use({ surface: "browser", port });
    r.setLive(true);
    r.allow(port);
    r.setLive(false);
    expect(last()).toEqual({ type: "tabZoom", state: "unavailable", level: null, canZoomIn: false, canZoomOut: false });
    // Still allowed, so the customer can still take it back while paused.
    expect(views.at(-1)).toEqual({ state: "unavailable", isAllowed: true, level: null });
    await r.step("in");
    expect(port.steps).toEqual([]);
    r.setLive(true);
    expect(last()?.state).toBe("allowed");
    expect(consents).toEqual([true]);
  });

  it("ends the consent when anything else is shared, or nothing, and when the customer takes it back", () => {
    const { r, last, consents } = rules();
    const port = fakePort();
    r.use({ surface: "browser", port });
    r.setLive(true);
    r.allow(port);
    const other = fakePort();
    r.use({ surface: "browser", port: other });
    expect(consents).toEqual([true, false]);
    expect(last()?.state).toBe("offered");
    // Allowing for the tab shared before does not allow the one shared now.
    r.allow(port);
    expect(last()?.state).toBe("offered");
    r.allow(other);
    r.use(null);
    expect(consents).toEqual([true, false, true, false]);
    expect(last()?.state).toBe("unavailable");
    r.use({ surface: "browser", port: fakePort() });
    r.withdraw();
    expect(consents).toEqual([true, false, true, false]);
  });

  it("offers nothing for a screen, a window or a capture without a controller", () => {
    const { r, last } = rules();
    r.setLive(true);
    r.use({ surface: "monitor", port: fakePort() });
    expect(last()?.state).toBe("unavailable");
    r.use({ surface: "browser", port: null });
    expect(last()?.state).toBe("unavailable");
    expect(r.offeredPort()).toBeNull();
  });

  it("says nothing at all in a browser that cannot zoom a captured tab", async () => {
    const { r, sent, views } = rules(false);
    r.use({ surface: "browser", port: fakePort() });
    r.setLive(true);
    await r.step("in");
    r.announce();
    expect(sent).toEqual([]);
    expect(views.every((view) => view.state === null)).toBe(true);
  });

  it("takes one step at a time, and drops a flood unanswered", async () => {
    const { r, sent, clock } = rules();
    const port = fakePort();
    r.use({ surface: "browser", port });
    r.setLive(true);
    r.allow(port);
    // Two at once: the second arrives while the first is under way, and is refused.
    await Promise.all([r.step("in"), r.step("in")]);
    expect(port.steps).toEqual(["in"]);
    const before = sent.length;
    for (let i = 0; i < 100; i++) await r.step("out");
    // What was left of the burst was taken; the rest got no answer.
    expect(port.steps).toEqual(["in", ...Array(STEP_BURST - 2).fill("out")]);
    expect(sent.length - before).toBe(STEP_BURST - 2);
    clock.now += STEP_INTERVAL_MS;
    await r.step("reset");
    expect(port.steps.at(-1)).toBe("reset");
  });
});
