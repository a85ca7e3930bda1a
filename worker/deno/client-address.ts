import { canonicalAddress } from "../../durable-objects/rate-limit/client-key.ts";

/** How many X-Forwarded-For entries, from the right, are looked at: more than any chain of proxies of one's own. */
const MAX_HOPS = 16;

/**
 * The client's address on the Deno host: the TCP peer, unless the peer is one of the admin's reverse proxies
 * (TRUSTED_PROXIES, canonical addresses); then the right-most X-Forwarded-For entry that is not a trusted proxy, since
 * everything left of it was written by the client. Undefined when a trusted proxy names no valid address, so that such
 * requests are refused rather than counted together under the proxy's own address.
 */
export function clientAddressOf(
  peer: string | undefined,
  forwardedFor: string | null,
  trustedProxies: ReadonlySet<string>,
): string | undefined {
  if (peer === undefined) return undefined;
  const peerAddress = canonicalAddress(peer);
  if (peerAddress === null || !trustedProxies.has(peerAddress)) return peer;
  const hops = (forwardedFor ?? "").split(",").slice(-MAX_HOPS).reverse();
  for (const hop of hops) {
    const address = canonicalAddress(hop);
    if (address === null) return undefined;
    if (!trustedProxies.has(address)) return address;
  }
  return undefined;
}
