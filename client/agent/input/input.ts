import type { InputAction } from "./InputGate.ts";

/**
 * What performs the gate's actions on one operating system: X11's XTEST extension here (xtest.ts); Windows'
 * SendInput, macOS's CGEvent and Wayland's RemoteDesktop portal would each be one more adapter behind this.
 */
export interface InputSink {
  /** Performs `actions` in order; resolves once the OS has taken them all. */
  perform(actions: readonly InputAction[]): Promise<void>;
  /**
   * Calls `listener` whenever the person at the machine presses the shortcut that ends control at once (Ctrl+Alt+End),
   * which the OS then keeps from every application; absent where the adapter cannot watch for it.
   */
  onShortcut?(listener: () => void): void;
  close(): void;
}
