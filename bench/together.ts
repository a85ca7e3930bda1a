/// <reference lib="dom" />
// The functions passed to page.evaluate run in the pages, so this file sees the DOM's types.
import type { Page } from "playwright-core";
import { sampled } from "./report.ts";
import type { SuiteContext } from "./signaling-suite.ts";
import { median, medianInterval, pairedRatioInterval, ratioFields } from "./stats.ts";
import type { ShareTarget } from "./webrtc-pages.ts";

// input_rtt_ms and file_mb_per_s: what working together costs on a live session between Tether's real pages, and a
// file's floor, a bare data channel between the floor's pages with the same chunks and backpressure, interleaved.

/**
 * One chat message from the viewer to the customer's page and its read receipt back (the customer's page, in view,
 * marks it read as it draws it), timed in the viewer's page from Send to the receipt drawn, in ms.
 */
function chatRoundTrip(viewer: Page, n: number): Promise<number> {
  return viewer.evaluate((n) => {
    const log = document.getElementById("viewer-chat-log") as HTMLOListElement;
    const text = document.getElementById("viewer-chat-text") as HTMLTextAreaElement;
    const form = document.getElementById("viewer-chat-form") as HTMLFormElement;
    return new Promise<number>((resolve) => {
      const before = log.children.length;
      const observer = new MutationObserver(() => {
        const sent = log.children[before];
        if (sent?.querySelector(".receipt")?.textContent) {
          observer.disconnect();
          resolve(performance.now() - startedAt);
        }
      });
      observer.observe(log, { subtree: true, childList: true, characterData: true });
      text.value = `bench ${n}`;
      const startedAt = performance.now();
      form.requestSubmit();
    });
  }, n);
}

/** The floor's chat (bench/floor/floor.js): message `n` from the viewer and its receipt back, in ms. */
function floorChatRoundTrip(viewer: Page, n: number): Promise<number> {
  return viewer.evaluate(
    (n) => (globalThis as unknown as { __benchChat(n: number): Promise<number> }).__benchChat(n),
    n,
  );
}

/** A file of `size` random bytes dropped on the viewer's files panel (made in the page). */
function offerFile(viewer: Page, size: number): Promise<void> {
  return viewer.evaluate(async (size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 65_536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65_536)));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "bench.bin", { type: "application/octet-stream" }));
    document
      .getElementById("viewer-files-section")
      ?.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
  }, size);
}

/** The customer accepts the newest offer; resolves with ms from Accept to the file checked (SHA-256) and done. */
function acceptAndTime(customer: Page): Promise<number> {
  return customer.evaluate(() => {
    const list = document.getElementById("files-list") as HTMLUListElement;
    return new Promise<number>((resolve, reject) => {
      const waitForOffer = () => {
        const item = list.lastElementChild;
        const accept = item?.querySelector("button");
        if (!item || !accept) return setTimeout(waitForOffer, 20);
        const startedAt = performance.now();
        const observer = new MutationObserver(() => {
          const now = list.lastElementChild?.querySelector("code");
          if (now?.textContent?.startsWith("SHA-256")) {
            observer.disconnect();
            resolve(performance.now() - startedAt);
          } else if (list.lastElementChild?.textContent?.includes("damaged")) {
            observer.disconnect();
            reject(new Error("the file arrived damaged"));
          }
        });
        observer.observe(list, { subtree: true, childList: true, characterData: true });
        accept.click();
      };
      waitForOffer();
    });
  });
}

/** The floor page's file hooks on the customer's side (bench/floor/floor.js). */
type FloorFiles = { __benchArm(n: number): void; __benchReceive(): Promise<number> };

/** The floor: `size` bytes on its bare file channel, viewer to customer; ms from the first send to the last byte. */
async function floorFile(viewer: Page, customer: Page, size: number): Promise<number> {
  // Armed first, from zero: each round counts its own bytes (a count left from the last would end it at once).
  await customer.evaluate((size) => (globalThis as unknown as FloorFiles).__benchArm(size), size);
  const arrived = customer.evaluate(() => (globalThis as unknown as FloorFiles).__benchReceive());
  const startedAt = await viewer.evaluate(
    (size) => (globalThis as unknown as { __benchSend(n: number): Promise<number> }).__benchSend(size),
    size,
  );
  return (await arrived) - startedAt;
}

const mbPerS = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

/** Fills input_rtt_ms and file_mb_per_s. */
export async function measureTogether(ctx: SuiteContext, ours: ShareTarget, floor: ShareTarget): Promise<void> {
  const { plan, metrics } = ctx;
  ctx.progress(
    `webrtc: ${plan.chatRoundTrips} chat round trips and ${plan.fileRounds} file(s) of ${plan.fileBytes / 1e6} MB on each`,
  );
  const share = await ours.open({ isGlass: false });
  const floorShare = await floor.open({ isGlass: false, hasFiles: true });
  try {
    await share.allow();
    await floorShare.allow();
    await share.viewer.getByRole("region", { name: /^Chat with the customer/ }).waitFor();
    const trips: number[] = [];
    const floorTrips: number[] = [];
    for (let n = 0; n < plan.chatRoundTrips + 5; n++) {
      // Interleaved, each first in turn: a busy moment of the machine weighs on both.
      let ms: number;
      let floorMs: number;
      if (n % 2) {
        ms = await chatRoundTrip(share.viewer, n);
        floorMs = await floorChatRoundTrip(floorShare.viewer, n);
      } else {
        floorMs = await floorChatRoundTrip(floorShare.viewer, n);
        ms = await chatRoundTrip(share.viewer, n);
      }
      if (n < 5) continue;
      trips.push(ms);
      floorTrips.push(floorMs);
    }
    const tripRatio = pairedRatioInterval(trips, floorTrips);
    metrics.input_rtt_ms = {
      ...sampled(
        trips,
        "ms",
        `a chat message from the technician's viewer to the customer's page and its read receipt back, on the control data channel of a live session (the customer's page, in view, marks it read as it draws it), timed in the viewer from Send to the receipt drawn; ${plan.chatRoundTrips} after 5 warm-up; both pages in Chromium on loopback, each sharing; the pointer goes on its own channel of the same connection, one way; reference: the floor's pages, a bare chat on a negotiated data channel of their sharing connection (the viewer draws its line and sends it, the customer's page answers and draws it, the viewer writes the receipt), interleaved`,
      ),
      reference: median(floorTrips),
      ...ratioFields(tripRatio),
    };

    const ourMs: number[] = [];
    const floorMs: number[] = [];
    for (let round = 0; round < plan.fileRounds; round++) {
      ctx.progress(`webrtc: file ${round + 1} of ${plan.fileRounds} on each`);
      const pair = async (key: "ours" | "floor") => {
        if (key === "floor") floorMs.push(await floorFile(floorShare.viewer, floorShare.customer, plan.fileBytes));
        else {
          await offerFile(share.viewer, plan.fileBytes);
          ourMs.push(await acceptAndTime(share.customer));
        }
      };
      for (const key of round % 2 ? (["floor", "ours"] as const) : (["ours", "floor"] as const)) await pair(key);
    }
    const ours = ourMs.map((ms) => mbPerS(plan.fileBytes, ms));
    const bare = floorMs.map((ms) => mbPerS(plan.fileBytes, ms));
    const ratio = pairedRatioInterval(ours, bare);
    const value = medianInterval(ours);
    metrics.file_mb_per_s = {
      value: median(ours),
      unit: "MB/s",
      value_ci: [value.low, value.high],
      reference: median(bare),
      ...ratioFields(ratio),
      runs: ours,
      note: `${plan.fileBytes / 1e6} MB of random bytes from the technician's viewer to the customer's page on a live session, timed in the customer's page from Accept to the file checked (its SHA-256 hashed as it streamed on both sides, and compared); 64 KiB chunks, backpressure at 1 MiB / 256 KiB; ${plan.fileRounds} round(s); reference: the floor's pages, the same bytes in the same chunks with the same marks on a bare negotiated data channel, first send to last byte, interleaved (goal: at least 80 % of it)`,
    };
  } finally {
    await share.close();
    await floorShare.close();
  }
}
