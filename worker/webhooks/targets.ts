import { parseAddress } from "../../durable-objects/rate-limit/client-key.ts";

// Where a webhook may be sent. A webhook is a request the server makes to an address an admin typed, so it must not
// become a way into the server's own network (SSRF): only HTTPS to public names and addresses, unless an admin allows
// private targets for development (WEBHOOK_ALLOW_PRIVATE). The Deno host also checks the addresses a name resolves
// to at each delivery, so a name that later points inside (DNS rebinding) is refused too; on Workers, fetch cannot
// reach a private network in the first place. Redirects are never followed.

/** IPv4 ranges that are not the public internet (RFC 6890's special-purpose registry, the parts that matter). */
function isPrivateV4([a = 0, b = 0, c = 0]: number[]): boolean {
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata services
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast, reserved, broadcast
  );
}

/** IPv6 ranges that are not the public internet: unspecified, loopback, unique local, link-local, multicast. */
function isPrivateV6(groups: number[]): boolean {
  const [first = 0] = groups;
  if (groups.every((g, i) => g === 0 || (i === 7 && g === 1))) return true;
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}

/** Whether `ip` is a loopback, private, link-local or otherwise non-public address (IPv4-mapped IPv6 as IPv4). */
export function isPrivateAddress(ip: string): boolean {
  const address = parseAddress(ip.replace(/^\[|\]$/g, ""));
  if (!address) return false;
  return address.kind === "v4" ? isPrivateV4(address.bytes) : isPrivateV6(address.groups);
}

/** Names that only ever mean a private network. */
const PRIVATE_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa)$/i;

/**
 * Why `url` is not a webhook target, for an admin to read, or null when it is one. With `allowPrivate`, plain HTTP and
 * private names and addresses pass (a receiver on the admin's own machine).
 */
export function targetProblem(url: string, allowPrivate: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "The URL is not a valid absolute URL.";
  }
  if (parsed.protocol !== "https:" && !(allowPrivate && parsed.protocol === "http:")) {
    return "The URL must start with https://.";
  }
  if (parsed.username || parsed.password) return "The URL must not contain a user name or password.";
  if (allowPrivate) return null;
  const host = parsed.hostname;
  if (isPrivateAddress(host)) {
    return "The URL points to a private or loopback address; webhooks go to public addresses only.";
  }
  if (!parseAddress(host.replace(/^\[|\]$/g, "")) && (PRIVATE_NAME.test(host) || !host.includes("."))) {
    return "The URL names a host of a private network; webhooks go to public addresses only.";
  }
  return null;
}
