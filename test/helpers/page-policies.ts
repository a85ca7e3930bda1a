// What each page may use of the browser's powerful features, as the Permissions-Policy header should say: the one
// table the hosts' tests check against (worker/middleware/permissions-policy.ts is what it checks).

/** Paths and the features allowed there, sorted; every other feature must be named and off. */
export const PAGE_USES: [path: string, uses: string[]][] = [
  ["/", ["autoplay", "camera", "captured-surface-control", "clipboard-write", "display-capture", "microphone"]],
  [
    "/j/123456789",
    ["autoplay", "camera", "captured-surface-control", "clipboard-write", "display-capture", "microphone"],
  ],
  ["/console", ["autoplay", "camera", "clipboard-write", "fullscreen", "microphone", "publickey-credentials-create"]],
  ["/agent", ["clipboard-write"]],
  ["/sign-in", ["publickey-credentials-get"]],
  ["/enrol", ["publickey-credentials-create"]],
  ["/health", []],
];

/** Answers that allow nothing: API answers, errors and redirects. */
export const NOTHING_ALLOWED = ["/api/me", "/api/nope", "/console.html"];

/** The features a Permissions-Policy header allows (`feature=(self)`), sorted. */
export function allowedFeatures(headers: Headers): string[] {
  return (headers.get("permissions-policy") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.endsWith("=(self)"))
    .map((entry) => entry.slice(0, -"=(self)".length))
    .sort();
}
