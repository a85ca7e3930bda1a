// How webhooks are delivered, from [vars]: the retry schedule, how long a receiver may take to answer, and whether
// private targets are allowed (development only). Read at start-up by the config (so a bad value names its variable)
// and by the audit log's object, which delivers.

/**
 * Standard Webhooks' retry schedule after the first attempt: 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours,
 * 10 hours, 10 hours. A message that failed them all disables its endpoint.
 */
export const DEFAULT_RETRY_S = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

export type WebhookSettings = {
  /** Delay before each retry, in order; its length is how many retries a message gets. */
  retryDelaysMs: number[];
  timeoutMs: number;
  allowPrivate: boolean;
};

export type WebhookSettingsResult = { ok: true; settings: WebhookSettings } | { ok: false; issues: string[] };

/** Reads WEBHOOK_RETRY_S, WEBHOOK_TIMEOUT_S and WEBHOOK_ALLOW_PRIVATE. */
export function webhookSettings(vars: Record<string, unknown>): WebhookSettingsResult {
  const issues: string[] = [];
  const retryText = String(vars.WEBHOOK_RETRY_S ?? "").trim();
  const retries = retryText === "" ? DEFAULT_RETRY_S : retryText.split(",").map((part) => Number(part.trim()));
  if (retries.length > 20 || retries.some((s) => !Number.isInteger(s) || s < 1 || s > 86_400)) {
    issues.push(
      `WEBHOOK_RETRY_S must be up to 20 comma-separated whole numbers of seconds from 1 to 86400 (the wait before each retry of a failed webhook); got ${JSON.stringify(retryText).slice(0, 60)}`,
    );
  }
  const timeoutText = String(vars.WEBHOOK_TIMEOUT_S ?? "15").trim() || "15";
  const timeoutS = /^\d+$/.test(timeoutText) ? Number(timeoutText) : Number.NaN;
  if (!(timeoutS >= 1 && timeoutS <= 60)) {
    issues.push(
      `WEBHOOK_TIMEOUT_S must be a whole number from 1 to 60 (how long a webhook receiver may take to answer, in seconds); got ${JSON.stringify(timeoutText).slice(0, 40)}`,
    );
  }
  const privateText = String(vars.WEBHOOK_ALLOW_PRIVATE ?? "off").trim() || "off";
  if (privateText !== "on" && privateText !== "off") {
    issues.push(
      `WEBHOOK_ALLOW_PRIVATE must be "on" or "off" (whether webhooks may go to loopback and private addresses: development only); got ${JSON.stringify(privateText).slice(0, 40)}`,
    );
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    settings: {
      retryDelaysMs: retries.map((s) => s * 1000),
      timeoutMs: timeoutS * 1000,
      allowPrivate: privateText === "on",
    },
  };
}
