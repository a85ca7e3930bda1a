import type { InputAction } from "./InputGate.ts";

/**
 * What performs the gate's actions on one operating system: X11's XTEST extension here (xtest.ts); Windows'
 * SendInput, macOS's CGEvent and Wayland's RemoteDesktop portal would each be one more adapter behind this.
 */
export interface InputSink {
  /** Performs `actions` in order; resolves once the OS has taken them all. */
  perform(actions: readonly InputAction[]): Promise<void>;
  close(): void;
}
