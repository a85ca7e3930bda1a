import type { InputMessage, PointerMessage } from "#protocol/channels.ts";
import { type GateResult, type InputAction, InputGate, type InputRefusal, type ScreenArea } from "./InputGate.ts";
import type { InputSink } from "./input.ts";

/**
 * The technician's control of this machine: the gate (InputGate.ts) in front of the OS's input (an InputSink), open
 * only while the person at the machine allows control. What passes is performed in the order it came; what the gate
 * refuses is counted by reason and goes no further. Taking control back, a connection that closes and the end of the
 * session release every key and button the technician held.
 */
export class AgentControl {
  readonly #gate: InputGate;
  readonly #sink: InputSink;
  /** The OS takes the actions one batch after another, never two at once. */
  #queue: Promise<void> = Promise.resolve();
  readonly refused: Record<InputRefusal, number> = { noControl: 0, unknownKey: 0, rateLimited: 0, tooManyHeld: 0 };

  constructor(sink: InputSink, screen: ScreenArea, now: () => number = Date.now) {
    this.#sink = sink;
    this.#gate = new InputGate(screen, now);
  }

  get isAllowed(): boolean {
    return this.#gate.isAllowed;
  }

  /** The person gave control or took it back (which releases everything held at once). */
  setAllowed(isAllowed: boolean): Promise<void> {
    return this.#perform(this.#gate.setAllowed(isAllowed));
  }

  /** The technician now sees (and controls) `screen`: what they held is released, and the pointer lands there. */
  setScreen(screen: ScreenArea): Promise<void> {
    return this.#perform(this.#gate.setScreen(screen));
  }

  /** A pointer move from the technician's pointer channel. */
  pointer(msg: PointerMessage): Promise<void> {
    return this.#take(this.#gate.pointer(msg));
  }

  /** A click, key or wheel from the technician's input channel. */
  input(msg: InputMessage): Promise<void> {
    return this.#take(this.#gate.input(msg));
  }

  /** The connection those channels ran on is gone: nothing it pressed stays down. */
  release(): Promise<void> {
    return this.#perform(this.#gate.releaseAll());
  }

  /** The session is over: everything released, and the OS's input closed. */
  async close(): Promise<void> {
    await this.setAllowed(false);
    this.#sink.close();
  }

  #take(result: GateResult): Promise<void> {
    if (!result.ok) {
      this.refused[result.refusal]++;
      return this.#queue;
    }
    return this.#perform(result.actions);
  }

  #perform(actions: InputAction[]): Promise<void> {
    if (actions.length === 0) return this.#queue;
    // One batch the OS refused (an X error, a closed display) must not hold back the ones after it.
    this.#queue = this.#queue.then(() => this.#sink.perform(actions)).catch(() => undefined);
    return this.#queue;
  }
}
