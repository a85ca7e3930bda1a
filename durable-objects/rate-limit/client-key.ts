// Which buckets a client's request is counted in. One subscriber usually holds a whole IPv6 /64, and often a /56 or a
// /48, so an IPv6 client is counted at all three at once: spreading requests over the /64s of one /48 gains a factor
// of at most PREFIX_SCALES' largest, not 65,536.

/** A parsed client address: IPv4 as its four bytes, IPv6 as its eight 16-bit groups. */
type Address = { kind: "v4"; bytes: number[] } | { kind: "v6"; groups: number[] };

/** The IPv6 prefixes a client is counted at, and how many times the per-address limit each may use. */
export const PREFIX_SCALES = [
  { bits: 64, scale: 1 },
  { bits: 56, scale: 4 },
  { bits: 48, scale: 16 },
] as const;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const GROUP = /^[0-9a-f]{1,4}$/i;

function parseIpv4(text: string): number[] | null {
  const match = IPV4.exec(text);
  if (!match) return null;
  const bytes = match.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

function parseIpv6(text: string): number[] | null {
  if (text.length > 45) return null;
  let body = text;
  const embedded: number[] = [];
  // A trailing dotted quad (::ffff:192.0.2.1) stands for the last two groups.
  const quad = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text)?.[1];
  if (quad) {
    const bytes = parseIpv4(quad);
    if (!bytes) return null;
    embedded.push(((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0), ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0));
    body = text.slice(0, -quad.length);
    if (!body.endsWith(":")) return null;
    if (!body.endsWith("::")) body = body.slice(0, -1);
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const [head = "", tail = ""] = halves;
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  if (![...left, ...right].every((g) => GROUP.test(g))) return null;
  const count = left.length + right.length + embedded.length;
  const isCompressed = halves.length === 2;
  if (isCompressed ? count > 7 : count !== 8) return null;
  const zeros = Array<number>(8 - count).fill(0);
  return [
    ...left.map((g) => Number.parseInt(g, 16)),
    ...zeros,
    ...right.map((g) => Number.parseInt(g, 16)),
    ...embedded,
  ];
}

/** Parses an address as a platform or a trusted proxy reports it; IPv4-mapped IPv6 (::ffff:a.b.c.d) is IPv4. */
export function parseAddress(ip: string): Address | null {
  const text = ip.trim().replace(/%[\w.-]*$/, "");
  const v4 = parseIpv4(text);
  if (v4) return { kind: "v4", bytes: v4 };
  const groups = parseIpv6(text);
  if (!groups) return null;
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMapped) {
    const [high = 0, low = 0] = groups.slice(6);
    return { kind: "v4", bytes: [high >> 8, high & 0xff, low >> 8, low & 0xff] };
  }
  return { kind: "v6", groups };
}

/** An address written one way only (IPv4 dotted, IPv6 as eight hex groups), or null when it is none. */
export function canonicalAddress(ip: string): string | null {
  const address = parseAddress(ip);
  if (!address) return null;
  return address.kind === "v4" ? address.bytes.join(".") : address.groups.map((g) => g.toString(16)).join(":");
}

/** The key of an IPv6 prefix: its groups up to `bits` (the last one masked), then `::/bits`. */
function prefixKey(groups: number[], bits: number): string {
  const kept = groups.slice(0, Math.ceil(bits / 16)).map((g, i) => {
    const spare = (i + 1) * 16 - bits;
    return spare > 0 ? (g >> spare) << spare : g;
  });
  return `${kept.map((g) => g.toString(16)).join(":")}::/${bits}`;
}

/** The address a per-client limit applies to: the IPv4 address, or the IPv6 /64; null when there is no valid one. */
export function clientKey(ip: string | undefined): string | null {
  const address = ip === undefined ? null : parseAddress(ip);
  if (!address) return null;
  return address.kind === "v4" ? address.bytes.join(".") : prefixKey(address.groups, 64);
}

/** A bucket a request is counted in, and the multiple of the per-address limit it holds. */
export type ClientBucket = { key: string; scale: number };

/**
 * Every bucket a request from `ip` is counted in: the IPv4 address alone, or the IPv6 /64, /56 and /48 (PREFIX_SCALES);
 * null when there is no valid address, which is refused rather than pooled with every other such request.
 */
export function clientBuckets(ip: string | undefined): ClientBucket[] | null {
  const address = ip === undefined ? null : parseAddress(ip);
  if (!address) return null;
  if (address.kind === "v4") return [{ key: address.bytes.join("."), scale: 1 }];
  return PREFIX_SCALES.map(({ bits, scale }) => ({ key: prefixKey(address.groups, bits), scale }));
}
