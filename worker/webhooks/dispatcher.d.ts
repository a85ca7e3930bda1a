import type { WebhookSettings } from "./settings.ts";
/** What a host lends the dispatcher. */
export type DispatcherRuntime = {
  db: D1Database;
  now(): number;
  fetch(url: string, init: RequestInit): Promise<Response>;
  settings: WebhookSettings;
  /**
   * The addresses `hostname` resolves to, where the host can tell (Deno); each is checked before a delivery so that
   * a name pointing inside is refused. Absent on Workers, whose fetch cannot reach private networks.
   */
  resolve?: (hostname: string) => Promise<string[]>;
};
export declare class WebhookDispatcher {
  private readonly runtime;
  private running;
  constructor(runtime: DispatcherRuntime);
  /**
   * Delivers what is due to every enabled endpoint; resolves with when to run again (now, if an endpoint has more
   * waiting than one run sends), or null when nothing waits. Runs one at a time: a call during a run waits for it
   * and then runs again, so entries appended meanwhile are not missed.
   */
  run(): Promise<number | null>;
  /** Sends message `messageId` to endpoint `endpointId` once more, now, outside its order; logged as manual. */
  redeliver(endpointId: string, messageId: string): Promise<"sent" | "failed" | "not_found">;
  private runOnce;
  /** Sends `endpoint` what it has not received, in order; true when it has more waiting than one run sends. */
  private deliverTo;
  /** One POST of `body`, signed for `endpoint`; never throws. */
  private send;
  /** On hosts that resolve names: why the name now points somewhere webhooks must not go, if it does. */
  private resolvedProblem;
  private logAttempt;
}
