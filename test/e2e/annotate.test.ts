import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { startSharing, useStage } from "../helpers/node/stage.ts";

// Pointing and drawing, end to end in Chromium: the technician points and draws over the customer's screen in the
// viewer; the customer's page shows the pointer and the strokes over its preview of what it shares (their canvas says
// what it shows in data attributes, and the pixels are checked too); Clear wipes both, Escape puts the tool down.

const stage = useStage("Pia Pointer");

/** Moves `page`'s mouse to the point (x, y) of `video`'s picture, given as 0–1 of its box. */
async function moveTo(page: Page, video: Locator, x: number, y: number, steps = 5): Promise<void> {
  const box = await video.boundingBox();
  if (!box) throw new Error("the video has no box");
  // The test stream is 16:9, as is the stage's picture here: the box is the picture.
  await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps });
}

/** The colour of `canvas` at (x, y) of its box, 0–1: [r, g, b, a]. */
function pixelAt(canvas: Locator, x: number, y: number): Promise<number[]> {
  return canvas.evaluate(
    (element, [px, py]) => {
      const c = element as HTMLCanvasElement;
      const data = c.getContext("2d")?.getImageData(Math.round(px * c.width), Math.round(py * c.height), 1, 1).data;
      return data ? [...data] : [];
    },
    [x, y] as const,
  );
}

/** How many pixels of `canvas` are drawn in a blue. */
function bluePixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((element) => {
    const c = element as HTMLCanvasElement;
    const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r = 0, g = 0, b = 0, a = 0] = data.subarray(i, i + 4);
      if (a > 0 && b > r + 60 && b > g + 30) count++;
    }
    return count;
  });
}

describe("pointing and drawing", () => {
  it("shows the technician's pointer and strokes on the customer's page, and clears them", async () => {
    const { tech, customer } = await startSharing(stage);
    const screen = tech.getByLabel("Customer's screen");
    const mirror = customer.page.locator("#preview-annotations");

    await tech.getByRole("button", { name: "Point", exact: true }).click();
    await moveTo(tech, screen, 0.5, 0.5);
    await expect.poll(() => mirror.getAttribute("data-pointer")).toMatch(/^0\.(49|5|50)\d*,0\.(49|5|50)\d*$/);
    await expect.poll(async () => (await pixelAt(mirror, 0.5, 0.5))[3]).toBeGreaterThan(0);
    // The pointer leaves the picture: it goes from the customer's page too.
    await tech.mouse.move(1, 1);
    await expect.poll(() => mirror.getAttribute("data-pointer")).toBe("");

    await tech.getByRole("button", { name: "Draw", exact: true }).click();
    expect(await tech.getByRole("button", { name: "Point", exact: true }).getAttribute("aria-pressed")).toBe("false");
    await tech.getByLabel("Colour").selectOption("blue");
    await moveTo(tech, screen, 0.2, 0.2, 1);
    await tech.mouse.down();
    await moveTo(tech, screen, 0.6, 0.6, 20);
    await tech.mouse.up();
    await expect.poll(() => mirror.getAttribute("data-strokes")).toBe("1");
    // The stroke is drawn in blue.
    await expect.poll(() => bluePixels(mirror)).toBeGreaterThan(50);
    expect(await tech.locator("#remote-annotations").getAttribute("data-strokes")).toBe("1");

    await tech.getByRole("button", { name: "Clear drawings" }).click();
    await expect.poll(() => mirror.getAttribute("data-strokes")).toBe("0");
    await tech.keyboard.press("Escape");
    expect(await tech.getByRole("button", { name: "Draw", exact: true }).getAttribute("aria-pressed")).toBe("false");
  });

  it("keeps the session panel on top in a mini window, pointer included, puts it back, and ends the session from it", async () => {
    const { tech, customer } = await startSharing(stage);
    const screen = tech.getByLabel("Customer's screen");

    const opened = customer.context.waitForEvent("page");
    await customer.page.getByRole("button", { name: "Keep on top of other windows" }).click();
    const mini = await opened;
    const bar = mini.getByRole("region", { name: "Your support session" });
    await bar.getByRole("button", { name: "End session" }).waitFor();
    expect(await customer.page.getByRole("region", { name: "Your support session" }).count()).toBe(0);
    await mini.getByRole("region", { name: /^Chat with your technician/ }).waitFor();

    // The pointer reaches the mini window's mirror.
    await tech.getByRole("button", { name: "Point", exact: true }).click();
    await moveTo(tech, screen, 0.3, 0.7);
    await expect
      .poll(() => mini.locator("#preview-annotations").getAttribute("data-pointer"))
      .toMatch(/^0\.\d+,0\.\d+$/);

    // Put back, the panel is in the page again; kept on top again, its End ends the session from the mini window.
    // The button closes the very window it is in, so the click may end with its page gone: that end is what the
    // test waits for (the window's close event), and a click that fails for any other reason fails the test.
    const closed = mini.waitForEvent("close");
    const clicked = bar
      .getByRole("button", { name: "Put back in the page" })
      .click()
      .then(
        () => null,
        (error: unknown) => error,
      );
    await closed;
    const failure = await clicked;
    if (failure !== null && !/closed/i.test(String(failure))) throw failure;
    await customer.page.getByRole("region", { name: "Your support session" }).waitFor();
    const reopened = customer.context.waitForEvent("page");
    await customer.page.getByRole("button", { name: "Keep on top of other windows" }).click();
    const again = await reopened;
    await again
      .getByRole("region", { name: "Your support session" })
      .getByRole("button", { name: "End session" })
      .click();
    await tech.getByText("The customer ended the session.").waitFor();
  });
});
