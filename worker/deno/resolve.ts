import { parseAddress } from "../../durable-objects/rate-limit/client-key.ts";

/**
 * The addresses `hostname` resolves to (IPv4 and IPv6), for the webhook dispatcher's check that a receiver's name
 * does not point into a private network; an address literal is itself.
 */
export async function resolveHostname(hostname: string): Promise<string[]> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  if (parseAddress(bare)) return [bare];
  const answers = await Promise.allSettled([Deno.resolveDns(bare, "A"), Deno.resolveDns(bare, "AAAA")]);
  const addresses = answers.flatMap((answer) => (answer.status === "fulfilled" ? answer.value : []));
  if (addresses.length === 0) throw new Error(`no address for ${bare.slice(0, 100)}`);
  return addresses;
}
