import type { SocketLike } from "../../client/web/src/rtc/signaling.ts";

// A WebSocket a unit test drives in place of the runtime's: the room's client and the agent's machine line take one
// through their `openSocket`, and the test plays the other end.

/** A socket the test drives: it records what it is sent and how it is closed, and plays the other end's part. */
export class FakeSocket<Frame extends object> implements SocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  readonly #listeners = new Map<string, ((event: never) => void)[]>();

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    // CLOSING, as a WebSocket is until the other end answers; the code under test treats it as it does CLOSED.
    this.readyState = 2;
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  open(): void {
    this.readyState = 1;
    this.#emit("open", {});
  }

  /** The other end sends `frame`: a protocol frame as JSON, text or bytes as they are. */
  receive(frame: Frame | string | ArrayBuffer): void {
    const data = typeof frame === "string" || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame);
    this.#emit("message", { data });
  }

  /** The connection ends without our close, as when the other end or the network drops it. */
  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.#emit("close", { code, reason });
  }

  #emit(type: string, event: object): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event as never);
  }
}
