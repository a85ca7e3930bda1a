import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types.ts";

// What each page may use of the browser's powerful features (Permissions-Policy), and HSTS only where it means
// something. Every feature listed is off everywhere but where a page needs it, and then for this origin only: a
// script that got onto a page cannot turn on the camera, and no other site can frame one (CSP frame-ancestors).

// clipboard-read is left to the browser's own permission prompt (and its default, this origin only): no page reads
// the clipboard, and a test reads back what the console copied.
const FEATURES = [
  "accelerometer",
  "autoplay",
  "camera",
  "captured-surface-control",
  "clipboard-write",
  "display-capture",
  "fullscreen",
  "geolocation",
  "gyroscope",
  "hid",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "picture-in-picture",
  "publickey-credentials-create",
  "publickey-credentials-get",
  "screen-wake-lock",
  "serial",
  "usb",
] as const;

type Feature = (typeof FEATURES)[number];

/**
 * The camera and microphone stay allowed (for this origin) on the pages with a peer connection: the customer's phone
 * camera and voice will use them, and a page that holds media permission lets WebRTC offer its real host addresses
 * on a LAN (or loopback) rather than mDNS names that a network without multicast DNS cannot resolve.
 */
const MEDIA: Feature[] = ["camera", "microphone"];

/**
 * The features each page uses, by the path it is served at (`/console.html` and `/index.html` only redirect there);
 * any other answer gets every feature off.
 */
const PAGES: { path: RegExp; uses: Feature[] }[] = [
  // Home (Get help) and a session link: the customer shares their screen, sees a preview of it (muted autoplay),
  // copies text the technician sent for their clipboard, and may let the technician zoom a tab they share.
  {
    path: /^\/$|^\/j\/\d{9}$|^\/join$/,
    uses: ["display-capture", "autoplay", "clipboard-write", "captured-surface-control", ...MEDIA],
  },
  // The console and its viewer: add a passkey, copy a link, play the customer's screen and watch it full size.
  {
    path: /^\/console$/,
    uses: ["publickey-credentials-create", "clipboard-write", "autoplay", "fullscreen", ...MEDIA],
  },
  // The agent's page: copy the command that starts the agent.
  { path: /^\/agent$/, uses: ["clipboard-write"] },
  { path: /^\/sign-in$/, uses: ["publickey-credentials-get"] },
  { path: /^\/enrol$/, uses: ["publickey-credentials-create"] },
];

/** The Permissions-Policy header for a page that uses `uses`. */
export function permissionsPolicy(uses: readonly Feature[]): string {
  return FEATURES.map((feature) => `${feature}=(${uses.includes(feature) ? "self" : ""})`).join(", ");
}

/** The header for the answer to `path`. */
export function permissionsPolicyFor(path: string): string {
  return permissionsPolicy(PAGES.find((page) => page.path.test(path))?.uses ?? []);
}

/** HSTS is sent only over HTTPS, where a browser heeds it (over plain HTTP it is ignored, and says nothing true). */
const HSTS = "max-age=31536000; includeSubDomains";

export const pagePolicies = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  c.res.headers.set("Permissions-Policy", permissionsPolicyFor(c.req.path));
  if (new URL(c.req.url).protocol === "https:") c.res.headers.set("Strict-Transport-Security", HSTS);
  else c.res.headers.delete("Strict-Transport-Security");
});
