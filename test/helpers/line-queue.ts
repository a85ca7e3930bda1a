import { ed25519 } from "@noble/curves/ed25519.js";
import { LineServerFrame, lineMessage } from "#protocol/machines.ts";
import { base64url } from "../../worker/auth/tokens.ts";
import { FRAME_WAIT_MS, withDeadline } from "./frame-queue.ts";

// What a test's machine line does with the frames the site sends it, on any runtime: each is checked against the
// protocol's schema and queued until the test takes it. The workerd and the Node clients feed it from their sockets,
// as frame-queue.ts does for rooms.

/** A machine as its agent signs: its id and private key. */
export type SigningMachine = { id: string; secretKey: Uint8Array };

type Waiter = { accept: (frame: LineServerFrame) => boolean; resolve: (frame: LineServerFrame) => void };

/** Frames received on one line, taken by type in arrival order. */
export abstract class LineQueue {
  readonly received: LineServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  pongs = 0;
  private queue: LineServerFrame[] = [];
  private waiters: Waiter[] = [];
  private resolveClosed: (close: { code: number; reason: string }) => void = () => {};
  private resolvePong: () => void = () => {};

  constructor() {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /** Sends one text frame as is. */
  abstract sendText(text: string): void;

  /** Takes in one text frame from the site. */
  protected receive(text: string): void {
    if (text === "pong") {
      this.pongs++;
      this.resolvePong();
      return;
    }
    const frame = LineServerFrame.parse(JSON.parse(text));
    this.received.push(frame);
    const index = this.waiters.findIndex((w) => w.accept(frame));
    const waiter = index >= 0 ? this.waiters.splice(index, 1)[0] : undefined;
    if (waiter) waiter.resolve(frame);
    else this.queue.push(frame);
  }

  protected markClosed(code: number, reason: string): void {
    this.resolveClosed({ code, reason });
  }

  /** The next frame of `type` (earlier frames of other types stay queued). */
  next<T extends LineServerFrame["type"]>(type: T): Promise<Extract<LineServerFrame, { type: T }>> {
    const accept = (frame: LineServerFrame) => frame.type === type;
    const index = this.queue.findIndex(accept);
    if (index >= 0) {
      const [frame] = this.queue.splice(index, 1);
      return Promise.resolve(frame as Extract<LineServerFrame, { type: T }>);
    }
    let waiter: Waiter | undefined;
    const arrived = new Promise<LineServerFrame>((resolve) => {
      waiter = { accept, resolve };
      this.waiters.push(waiter);
    });
    return withDeadline(arrived, () => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      return `no ${type} within ${FRAME_WAIT_MS} ms; got ${JSON.stringify(this.queue).slice(0, 300)}`;
    }) as Promise<Extract<LineServerFrame, { type: T }>>;
  }

  /** Answers the site's challenge as the agent does, for `origin`, signed with `signer` (by default the machine's). */
  async answer(machine: SigningMachine, origin: string, signer: Uint8Array = machine.secretKey): Promise<void> {
    const { nonce } = await this.next("challenge");
    const signature = base64url(ed25519.sign(lineMessage(origin, machine.id, nonce), signer));
    this.sendText(JSON.stringify({ type: "answer", signature }));
  }

  /**
   * Sends a keep-alive ping and waits for its pong, which comes after every frame the site sent before the ping
   * arrived: afterwards `received` holds all of them, the way to prove that nothing else came.
   */
  async sync(): Promise<void> {
    const target = this.pongs + 1;
    const ponged = new Promise<void>((resolve) => {
      this.resolvePong = () => {
        if (this.pongs >= target) resolve();
      };
    });
    this.sendText("ping");
    await withDeadline(ponged, () => `no pong within ${FRAME_WAIT_MS} ms`);
  }

  /** Waits for the site to close the line. */
  waitClosed(): Promise<{ code: number; reason: string }> {
    return withDeadline(this.closed, () => `line not closed within ${FRAME_WAIT_MS} ms`);
  }
}
