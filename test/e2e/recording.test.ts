import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "#protocol/audit.ts";
import type { PlaybackUrl, RecordingSummary } from "#protocol/recordings.ts";
import { axeViolations } from "../helpers/node/axe.ts";
import { launchBrowser } from "../helpers/node/browser.ts";
import { createSession, framesArrive, newPerson, open, SESSION_LINK, textOf } from "../helpers/node/people.ts";
import { useStage } from "../helpers/node/stage.ts";

// Session recording in real Chromium (a fake screen), RECORDING_POLICY "ask": the customer allows recording apart
// from Allow, both pages show ● REC, the technician's page records and uploads (both voices in one audio track: the
// technician's microphone, a tone from Chromium's fake device, turned on and off while it records), the customer
// stops it and the session goes on; the console lists and plays it (seekable: a finite duration) and the audit log
// has its SHA-256 and the playback. A technician's tab closed while recording leaves a playable recording of what it
// uploaded (the customer shares a tab of moving noise there, so that a whole part is in soon).

const stage = useStage("Rita Record", { vars: { RECORDING_POLICY: "ask" } });
const run = promisify(execFile);

/** The recording's audio as Debian's ffprobe and ffmpeg read it: its codec, and its loudest sample in dB. */
async function audioOf(page: Page, id: string): Promise<{ codec: string | null; maxVolume: number }> {
  const { url } = await page.evaluate(async (recording) => {
    const res = await fetch(`/api/recordings/${recording}/play`, { method: "POST" });
    return (await res.json()) as PlaybackUrl;
  }, id);
  const media = await fetch(`${stage.server.origin}${url}`);
  const dir = mkdtempSync(path.join(tmpdir(), "tether-recording-"));
  try {
    const file = path.join(dir, "recording.webm");
    writeFileSync(file, new Uint8Array(await media.arrayBuffer()));
    const probe = await run(
      "ffprobe",
      ["-v", "error", "-select_streams", "a", "-show_entries", "stream=codec_name"].concat(["-of", "csv=p=0", file]),
    );
    const volume = await run(
      "ffmpeg",
      ["-hide_banner", "-nostats", "-i", file, "-map", "0:a"].concat(["-af", "volumedetect", "-f", "null", "-"]),
    );
    const max = /max_volume: (-?[0-9.]+|-inf) dB/.exec(volume.stderr)?.[1] ?? "-inf";
    return { codec: probe.stdout.trim() || null, maxVolume: max === "-inf" ? -Infinity : Number(max) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function recordingsOf(page: Page, code: string): Promise<RecordingSummary[]> {
  return page.evaluate(async (session) => {
    const res = await fetch(`/api/recordings?session=${session}`);
    return ((await res.json()) as { recordings: RecordingSummary[] }).recordings;
  }, code);
}

async function auditOf(page: Page, code: string): Promise<AuditEntry[]> {
  return page.evaluate(async (session) => {
    const res = await fetch(`/api/audit/entries?session=${session}`);
    const { entries } = (await res.json()) as { entries: string[] };
    return entries.map((line) => JSON.parse(line) as AuditEntry);
  }, code);
}

/** Plays session `code`'s recording from the console's list; resolves with the player's duration once it is known. */
async function playFromConsole(page: Page, code: string): Promise<number> {
  const panel = page.getByRole("region", { name: "Recordings" });
  await panel.getByLabel("Session code").fill(code);
  await panel.getByRole("button", { name: "Show" }).click();
  const play = panel.getByRole("button", { name: /^Play the recording of / });
  await expect.poll(() => play.count()).toBe(1);
  await play.click();
  const player = page.getByLabel("Recording", { exact: true });
  await expect
    .poll(() =>
      player.evaluate((video: HTMLVideoElement) =>
        video.readyState >= HTMLMediaElement.HAVE_METADATA && Number.isFinite(video.duration) ? video.duration : null,
      ),
    )
    .not.toBeNull();
  return player.evaluate((video: HTMLVideoElement) => video.duration);
}

/** A page of moving noise, which no encoder can make small. */
const NOISE_PAGE = `<title>Moving noise</title><body style="margin:0"><canvas style="width:100vw;height:100vh"></canvas>
<script>
  const canvas = document.querySelector("canvas");
  canvas.width = 320;
  canvas.height = 180;
  const context = canvas.getContext("2d");
  const image = context.createImageData(320, 180);
  const pixels = new Uint32Array(image.data.buffer);
  (function draw() {
    for (let i = 0; i < pixels.length; i++) pixels[i] = (Math.random() * 0x1000000) | 0xff000000;
    context.putImageData(image, 0, 0);
    requestAnimationFrame(draw);
  })();
</script>`;

let noisy: Browser | undefined;
afterAll(() => noisy?.close());

/**
 * A Chromium whose screen picker takes the tab titled "Moving noise" (rather than the fake screen, which changes so
 * little that a recording of it takes minutes to fill a part).
 */
async function noisyBrowser(): Promise<Browser> {
  noisy ??= await launchBrowser(
    [
      "--auto-select-tab-capture-source-by-title=Moving noise",
      // Without the fake picker, which grants media permissions, this page's candidates would be mDNS names that no
      // one on a loopback-only network answers.
      "--disable-features=WebRtcHideLocalIpsWithMdns",
    ],
    { fakeUi: false },
  );
  return noisy;
}

async function expectAccessible(page: Page, state: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await axeViolations(page), `${state} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: null });
}

describe("session recording", () => {
  it("records with the customer's own consent and both voices, shows REC on both pages, stops at the customer's word, plays back", async () => {
    const tech = stage.technician.page;
    const link = await createSession(tech);
    const code = SESSION_LINK.exec(link)?.[1] ?? "";
    await tech.getByRole("link", { name: "View this session" }).click();
    const customer = await newPerson(stage.browser, stage.server);
    stage.people.push(customer);
    await open(customer.page, link);

    const choice = customer.page.getByLabel(/^Allow recording/);
    expect(await choice.isChecked()).toBe(false);
    await expectAccessible(customer.page, "consent with the recording choice");
    await choice.check();
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(tech.getByLabel("Customer's screen"));

    // Both pages show the badge, and its time runs.
    const techBadge = tech.locator("#viewer-rec");
    const customerBadge = customer.page.locator("#rec-badge");
    await techBadge.waitFor({ state: "visible" });
    await customerBadge.waitFor({ state: "visible" });
    // The technician's microphone goes on while it records, and off again: the recording goes on, with its sound.
    const techChat = tech.getByRole("region", { name: /^Chat with the customer/ });
    await techChat.getByRole("button", { name: "Turn on my microphone" }).click();
    await techChat.getByRole("button", { name: "Turn off my microphone" }).waitFor();
    // Long enough for more than one cluster, so that the fixed WebM has a duration of its own.
    await expect.poll(() => textOf(techBadge)).toMatch(/^● REC 0:1[0-9]$/);
    await techChat.getByRole("button", { name: "Turn off my microphone" }).click();
    await techChat.getByRole("button", { name: "Turn on my microphone" }).waitFor();
    expect(await techBadge.isVisible()).toBe(true);
    await expect.poll(() => textOf(customerBadge)).toMatch(/^● REC 0:[0-5][0-9]$/);
    await expectAccessible(customer.page, "session bar while recording");
    await expectAccessible(tech, "viewer while recording");

    // The customer stops the recording; the session goes on.
    await customer.page.getByRole("button", { name: "Stop recording" }).click();
    await techBadge.waitFor({ state: "hidden" });
    await customerBadge.waitFor({ state: "hidden" });
    await customer.page.getByRole("button", { name: "Allow recording" }).waitFor();
    await framesArrive(tech.getByLabel("Customer's screen"));
    await expect.poll(async () => (await recordingsOf(tech, code)).map((r) => r.state)).toEqual(["complete"]);
    const [recording] = await recordingsOf(tech, code);
    expect(recording?.size).toBeGreaterThan(0);
    // One audio track, with the technician's tone in it (the customer's microphone stayed off).
    const audio = await audioOf(tech, recording?.id ?? "");
    expect(audio.codec).toBe("opus");
    expect(audio.maxVolume).toBeGreaterThan(-40);

    await tech.getByRole("link", { name: "Back to console" }).click();
    const duration = await playFromConsole(tech, code);
    expect(Number.isFinite(duration)).toBe(true);
    expect(duration).toBeGreaterThan(0);
    await expectAccessible(tech, "console with a recording playing");

    await expect
      .poll(async () => (await auditOf(tech, code)).map((e) => e.type))
      .toEqual(expect.arrayContaining(["recording_started", "recording_stopped", "recording_played"]));
    const entries = await auditOf(tech, code);
    const consent = entries.filter((e) => e.data.permission === "record").map((e) => e.type);
    expect(consent).toEqual(["consent_given", "consent_withdrawn"]);
    expect(entries.find((e) => e.type === "recording_stopped")?.data.sha256).toBe(recording?.sha256);
    expect(entries.find((e) => e.type === "recording_played")?.data.recording).toBe(recording?.id);
  });

  it("tells the technician when the server could not store the recording, and does not call it saved", async () => {
    const tech = stage.technician.page;
    await tech.goto("/console");
    const link = await createSession(tech);
    const code = SESSION_LINK.exec(link)?.[1] ?? "";
    await tech.getByRole("link", { name: "View this session" }).click();
    const customer = await newPerson(stage.browser, stage.server);
    stage.people.push(customer);
    await open(customer.page, link);
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(tech.getByLabel("Customer's screen"));
    // The store fails under the recording's completion, as the servers answer then (test/servers/recordings.test.ts).
    await tech.route("**/api/recordings/*/complete", (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "RECORDING_STORE_FAILED", message: "The recordings store failed." } }),
      }),
    );
    await customer.page.getByRole("button", { name: "Allow recording" }).click();
    await tech.locator("#viewer-rec").waitFor({ state: "visible" });
    await customer.page.getByRole("button", { name: "Stop recording" }).click();
    await tech.locator("#viewer-rec").waitFor({ state: "hidden" });
    await expect
      .poll(() => textOf(tech.locator("#status")))
      .toBe(
        "The recording stopped: The server could not store the recording: its storage failed. What it took before is kept.",
      );
    // Nothing says it ended yet: the sweep finishes it from the parts the server took.
    const types = (await auditOf(tech, code)).map((e) => e.type).filter((t) => t.startsWith("recording_"));
    expect(types).toEqual(["recording_started"]);
    expect((await recordingsOf(tech, code)).map((r) => r.state)).toEqual(["uploading"]);
    await tech.unroute("**/api/recordings/*/complete");
  });

  // Last in this file: it closes the technician's tab.
  it("leaves a playable recording of the parts a closed technician tab uploaded", async () => {
    const tech = stage.technician.page;
    await tech.goto("/console");
    const link = await createSession(tech);
    const code = SESSION_LINK.exec(link)?.[1] ?? "";
    await tech.getByRole("link", { name: "View this session" }).click();
    // The customer shares a tab of moving noise: a whole part is recorded in seconds rather than minutes.
    const customer = await newPerson(await noisyBrowser(), stage.server);
    stage.people.push(customer);
    const noise = await customer.context.newPage();
    await noise.setContent(NOISE_PAGE);
    await customer.page.bringToFront();
    await open(customer.page, link);
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    await framesArrive(tech.getByLabel("Customer's screen"));
    // Allowed from the session bar this time.
    await customer.page.getByRole("button", { name: "Allow recording" }).click();
    await tech.locator("#viewer-rec").waitFor({ state: "visible" });

    // At least one part (RECORDING_PART_BYTES) is uploaded; then the tab goes, and the customer ends the session.
    await expect
      .poll(async () => (await recordingsOf(tech, code))[0]?.size ?? 0, { timeout: 300_000 })
      .toBeGreaterThan(0);
    // The tab closes while recording. Whether its own goodbye still gets the completion out depends on how quickly the
    // browser tears the page down; either way the parts that arrived make a playable recording. (The server's sweep
    // of an upload whose page never came back is tested on both hosts in test/servers/recordings.test.ts.)
    await tech.close();
    await customer.page.getByRole("button", { name: "End session" }).click();

    const console = await stage.technician.context.newPage();
    await console.goto("/console");
    await expect
      .poll(async () => (await recordingsOf(console, code)).map((r) => r.state), { timeout: 120_000 })
      .toEqual(["complete"]);
    const duration = await playFromConsole(console, code);
    expect(duration).toBeGreaterThan(0);
    const stopped = (await auditOf(console, code)).filter((e) => e.type === "recording_stopped");
    expect(stopped).toHaveLength(1);
    expect(["stopped", "abandoned"]).toContain(stopped[0]?.data.reason);
  }, 600_000);
});
