/** How the Worker hands out relay (TURN) servers, from [vars] and secrets. */
export type TurnConfig = {
  /** "relay" forces every connection through the relay, so customers' and technicians' addresses stay hidden. */
  icePolicy: "all" | "relay";
  /** Longest a minted credential lives; it never outlives its session either. */
  ttlS: number;
} & (
  | { provider: "none" }
  | { provider: "coturn"; urls: string[]; secret: string }
  | { provider: "cloudflare"; keyId: string; apiToken: string; apiUrl: string }
);

export type TurnConfigResult = { ok: true; turn: TurnConfig } | { ok: false; issues: string[] };

const TURN_URL = /^turns?:[a-z0-9.-]+(:\d{1,5})?(\?transport=(udp|tcp))?$/i;
const KEY_ID = /^[A-Za-z0-9_-]{8,128}$/;

function list(value: unknown): string[] {
  return String(value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Parses TURN_PROVIDER and its settings; each problem names the variable and what it must be. */
export function parseTurnConfig(vars: Record<string, unknown>): TurnConfigResult {
  const issues: string[] = [];
  const provider = String(vars.TURN_PROVIDER ?? "none").trim() || "none";
  const icePolicy = String(vars.ICE_POLICY ?? "all").trim() || "all";
  const ttlText = String(vars.TURN_TTL_S ?? "").trim() || "3600";
  const ttlS = /^\d+$/.test(ttlText) ? Number(ttlText) : Number.NaN;

  if (icePolicy !== "all" && icePolicy !== "relay") {
    issues.push(`ICE_POLICY must be "all" or "relay"; got ${JSON.stringify(icePolicy).slice(0, 40)}`);
  }
  if (!(ttlS >= 60 && ttlS <= 86_400)) {
    issues.push(
      `TURN_TTL_S must be a whole number from 60 to 86400 (longest a relay credential lives, in seconds); got ${JSON.stringify(ttlText).slice(0, 40)}`,
    );
  }
  if (provider !== "none" && provider !== "coturn" && provider !== "cloudflare") {
    issues.push(`TURN_PROVIDER must be "none", "coturn" or "cloudflare"; got ${JSON.stringify(provider).slice(0, 40)}`);
  }
  if (icePolicy === "relay" && provider === "none") {
    issues.push('ICE_POLICY = "relay" needs a relay: set TURN_PROVIDER to "coturn" or "cloudflare"');
  }

  let turn: TurnConfig | null = null;
  const base = { icePolicy: icePolicy as TurnConfig["icePolicy"], ttlS };
  if (provider === "coturn") {
    const urls = list(vars.TURN_URLS);
    const bad = urls.filter((u) => !TURN_URL.test(u));
    if (urls.length === 0 || bad.length > 0) {
      issues.push(
        `TURN_URLS must be a comma-separated list like "turn:turn.example.com:3478?transport=udp, turns:turn.example.com:443?transport=tcp"${bad.length ? `; not valid: ${JSON.stringify(bad[0]).slice(0, 60)}` : ""}`,
      );
    }
    const secret = vars.TURN_SECRET;
    if (typeof secret !== "string" || secret.length < 16) {
      issues.push(
        "TURN_SECRET must be coturn's static-auth-secret, at least 16 characters (`wrangler secret put TURN_SECRET`)",
      );
    }
    turn = { ...base, provider, urls, secret: String(secret ?? "") };
  } else if (provider === "cloudflare") {
    const keyId = String(vars.TURN_KEY_ID ?? "").trim();
    if (!KEY_ID.test(keyId))
      issues.push("TURN_KEY_ID must be the id of a Cloudflare TURN key (letters, digits, - and _)");
    const apiToken = vars.TURN_API_TOKEN;
    if (typeof apiToken !== "string" || apiToken.length < 16) {
      issues.push("TURN_API_TOKEN must be the TURN key's API token (`wrangler secret put TURN_API_TOKEN`)");
    }
    const apiUrl = String(vars.TURN_API_URL ?? "").trim() || "https://rtc.live.cloudflare.com/v1";
    if (!/^https?:\/\/[^\s]+$/.test(apiUrl)) issues.push("TURN_API_URL must be an http(s) URL");
    turn = { ...base, provider, keyId, apiToken: String(apiToken ?? ""), apiUrl: apiUrl.replace(/\/+$/, "") };
  } else {
    turn = { ...base, provider: "none" };
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, turn };
}
