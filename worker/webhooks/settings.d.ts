/**
 * Standard Webhooks' retry schedule after the first attempt: 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours,
 * 10 hours, 10 hours. A message that failed them all disables its endpoint.
 */
export declare const DEFAULT_RETRY_S: number[];
export type WebhookSettings = {
  /** Delay before each retry, in order; its length is how many retries a message gets. */
  retryDelaysMs: number[];
  timeoutMs: number;
  allowPrivate: boolean;
};
export type WebhookSettingsResult =
  | {
      ok: true;
      settings: WebhookSettings;
    }
  | {
      ok: false;
      issues: string[];
    };
/** Reads WEBHOOK_RETRY_S, WEBHOOK_TIMEOUT_S and WEBHOOK_ALLOW_PRIVATE. */
export declare function webhookSettings(vars: Record<string, unknown>): WebhookSettingsResult;
