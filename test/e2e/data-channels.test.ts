import type { BrowserContext } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createSession, framesArrive, newPerson, open } from "../helpers/node/people.ts";
import { useStage } from "../helpers/node/stage.ts";

// The data channels between two real Chromium pages (client/core/channels.ts): a technician's page that sends
// garbage on every channel (oversized, malformed, of the wrong kind, out of order, random) is told what the
// customer's page dropped, and the session goes on: control messages still arrive and frames still flow.

const stage = useStage("Dana Channels", { vars: { RATE_HANDSHAKE_PER_MIN: "1000" } });

/** Keeps the data channels the context's pages open on `window.dataChannels`, and the drops the far end reports. */
async function keepDataChannels(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const channels: Record<string, RTCDataChannel> = {};
    const told: string[] = [];
    Object.assign(window, { dataChannels: channels, droppedNotices: told });
    const create = RTCPeerConnection.prototype.createDataChannel;
    RTCPeerConnection.prototype.createDataChannel = function (label: string, init?: RTCDataChannelInit) {
      const channel = create.call(this, label, init);
      channels[label] = channel;
      if (label === "control") {
        channel.addEventListener("message", (event: MessageEvent) => {
          const msg = typeof event.data === "string" ? JSON.parse(event.data) : null;
          if (msg?.type === "dropped") told.push(`${msg.channel} ${msg.reason}`);
        });
      }
      return channel;
    };
  });
}

describe("the data channels between the pages", () => {
  it("drop what a far end sends wrong, tell it so, and keep the session working", async () => {
    const { technician, browser, server, people } = stage;
    await keepDataChannels(technician.context);
    const link = await createSession(technician.page, "CASE-DC");
    await technician.page.getByRole("link", { name: "View this session" }).click();
    const customer = await newPerson(browser, server);
    people.push(customer);
    await open(customer.page, link);
    await customer.page.getByRole("button", { name: "Allow and choose what to share" }).click();
    const screen = technician.page.getByLabel("Customer's screen");
    await framesArrive(screen);
    await expect
      .poll(() =>
        technician.page.evaluate(() =>
          Object.values((window as unknown as { dataChannels: Record<string, RTCDataChannel> }).dataChannels).map(
            (c) => `${c.label} ${c.readyState}`,
          ),
        ),
      )
      .toEqual(["control open", "pointer open", "input open", "file open"]);

    await technician.page.evaluate(() => {
      const channels = (window as unknown as { dataChannels: Record<string, RTCDataChannel> }).dataChannels;
      const send = (label: string, data: string | ArrayBuffer) => channels[label]?.send(data as string);
      send("pointer", JSON.stringify({ type: "pointer", seq: 0, x: 0.5, y: 0.5, pad: "x".repeat(400) }));
      send("pointer", JSON.stringify({ type: "pointer", seq: 10, x: 0.5, y: 0.5 }));
      send("pointer", JSON.stringify({ type: "pointer", seq: 5, x: 0.5, y: 0.5 }));
      send("input", "{not json");
      send("file", "text where bytes belong");
      send("file", new ArrayBuffer(70_000));
      send("control", JSON.stringify({ type: "takeOver", everything: true }));
      // And a few hundred random messages, text and bytes, on every channel.
      let seed = 20_261_202;
      const random = () => {
        seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
        return seed / 2 ** 32;
      };
      for (let i = 0; i < 400; i++) {
        const label = ["control", "pointer", "input", "file"][i % 4] as string;
        const bytes = crypto.getRandomValues(new Uint8Array(Math.floor(random() * 200)));
        send(label, random() < 0.5 ? bytes.buffer : String.fromCharCode(...bytes));
      }
    });
    await expect
      .poll(() =>
        technician.page.evaluate(() =>
          [...new Set((window as unknown as { droppedNotices: string[] }).droppedNotices)].sort(),
        ),
      )
      .toEqual(
        expect.arrayContaining([
          "control malformed",
          "file malformed",
          "file oversized",
          "input malformed",
          "pointer outOfOrder",
          "pointer oversized",
        ]),
      );

    // The control channel still carries the customer's sharing state, and the picture still flows.
    const bar = customer.page.getByRole("region", { name: "Your support session" });
    await bar.getByRole("button", { name: "Pause" }).click();
    await technician.page.getByText("Paused by the customer.").waitFor();
    await bar.getByRole("button", { name: "Resume" }).click();
    await framesArrive(screen);
  });
});
