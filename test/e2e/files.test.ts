import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { startSharing, useStage } from "../helpers/node/stage.ts";

// Files both ways between the customer's page and the viewer, peer to peer in Chromium: 50 MB each way, accepted by
// the receiver, checked by SHA-256 before Save (and the saved file hashed again here); a refused file; a chunk
// changed on the way is caught and the file not offered for saving.

const stage = useStage("Fio Files");
const SIZE = 50 * 1024 * 1024;

/** Drops a file of `size` random bytes (made in the page) on the files panel `sectionId`; returns its SHA-256. */
function dropFile(page: Page, sectionId: string, name: string, size: number): Promise<string> {
  return page.evaluate(
    async ({ sectionId, name, size }) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 65_536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65_536)));
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: "application/octet-stream" }));
      document
        .getElementById(sectionId)
        ?.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
      return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    },
    { sectionId, name, size },
  );
}

/** Saves the received file `name` from `page`'s panel and returns the SHA-256 of what was written to disk. */
async function saveAndHash(page: Page, name: string): Promise<string> {
  const downloading = page.waitForEvent("download");
  await page.getByRole("listitem").filter({ hasText: name }).getByRole("button", { name: "Save" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(name);
  const path = await download.path();
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

describe("files", () => {
  it("go both ways, 50 MB each, accepted first, checked by SHA-256 before Save", async () => {
    const { tech, customer } = await startSharing(stage);
    const toCustomer = await dropFile(tech, "viewer-files-section", "tools.bin", SIZE);
    const offer = customer.page.getByRole("listitem").filter({ hasText: "From your technician: tools.bin" });
    await offer.getByText("accept it?").waitFor();
    // Nothing moves before the customer accepts.
    await tech.getByRole("listitem").filter({ hasText: "waiting for them to accept" }).waitFor();
    await offer.getByRole("button", { name: "Accept" }).click();
    await offer.getByText("done, checked").waitFor({ timeout: 240_000 });
    await offer.getByText(`SHA-256 ${toCustomer}`).waitFor();
    expect(await saveAndHash(customer.page, "tools.bin")).toBe(toCustomer);

    const toTechnician = await dropFile(customer.page, "files-section", "logs.zip", SIZE);
    const incoming = tech.getByRole("listitem").filter({ hasText: "From the customer: logs.zip" });
    await incoming.getByRole("button", { name: "Accept" }).click();
    await incoming.getByText("done, checked").waitFor({ timeout: 240_000 });
    await incoming.getByText(`SHA-256 ${toTechnician}`).waitFor();
    expect(await saveAndHash(tech, "logs.zip")).toBe(toTechnician);
  });

  it("stop a refused file, and catch a chunk changed on the way", async () => {
    const { tech, customer } = await startSharing(stage);
    await dropFile(customer.page, "files-section", "private.txt", 1_000);
    const refused = tech.getByRole("listitem").filter({ hasText: "From the customer: private.txt" });
    await refused.getByRole("button", { name: "Refuse" }).click();
    await customer.page.getByRole("listitem").filter({ hasText: "private.txt" }).getByText("refused").waitFor();

    // The technician's page changes one byte of the third chunk it sends on the file channel.
    await tech.evaluate(() => {
      const send = RTCDataChannel.prototype.send as (this: RTCDataChannel, data: unknown) => void;
      let chunks = 0;
      RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: unknown) {
        if (this.label === "file" && data instanceof Uint8Array && ++chunks === 3) {
          const copy = new Uint8Array(data);
          copy[1_000] = (copy[1_000] ?? 0) ^ 0xff;
          return send.call(this, copy);
        }
        return send.call(this, data);
      };
    });
    await dropFile(tech, "viewer-files-section", "driver.bin", 1_000_000);
    const damaged = customer.page.getByRole("listitem").filter({ hasText: "driver.bin" });
    await damaged.getByRole("button", { name: "Accept" }).click();
    await damaged.getByText("damaged on the way", { exact: false }).waitFor();
    expect(await damaged.getByRole("button", { name: "Save" }).count()).toBe(0);
  });
});
