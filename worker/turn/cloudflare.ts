import * as z from "zod/mini";
import { IceServer } from "#protocol/ice.ts";
import { AppError } from "../errors.ts";

const GenerateResponse = z.object({ iceServers: z.array(IceServer).check(z.maxLength(8)) });

/** Port 53 URLs are dropped: browsers block them and they only slow ICE gathering. */
function withoutPort53(server: IceServer): IceServer | null {
  const urls = server.urls.filter((u) => !/:53(\?|$)/.test(u));
  return urls.length > 0 ? { ...server, urls } : null;
}

/** Mints ICE servers with Cloudflare's TURN key API; the API token never leaves the Worker. */
export async function cloudflareIceServers(
  settings: { keyId: string; apiToken: string; apiUrl: string },
  ttlS: number,
  fetcher: typeof fetch = fetch,
): Promise<IceServer[]> {
  const url = `${settings.apiUrl}/turn/keys/${encodeURIComponent(settings.keyId)}/credentials/generate-ice-servers`;
  let res: Response;
  try {
    res = await fetcher(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${settings.apiToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ ttl: ttlS }),
    });
  } catch (cause) {
    throw new AppError("TURN_UNAVAILABLE", 502, "The relay service could not be reached; try again shortly.", {
      cause,
    });
  }
  if (!res.ok) {
    throw new AppError("TURN_UNAVAILABLE", 502, `The relay service refused to issue credentials (HTTP ${res.status}).`);
  }
  const parsed = GenerateResponse.safeParse(await res.json().catch(() => null));
  if (!parsed.success)
    throw new AppError("TURN_UNAVAILABLE", 502, "The relay service answered with something unexpected.");
  return parsed.data.iceServers.map(withoutPort53).filter((s): s is IceServer => s !== null);
}

/** Revokes one credential (by its username) so it stops working before its TTL. */
export async function revokeCloudflareCredential(
  settings: { keyId: string; apiToken: string; apiUrl: string },
  username: string,
  fetcher: typeof fetch = fetch,
): Promise<boolean> {
  const url = `${settings.apiUrl}/turn/keys/${encodeURIComponent(settings.keyId)}/credentials/${encodeURIComponent(username)}/revoke`;
  const res = await fetcher(url, { method: "POST", headers: { Authorization: `Bearer ${settings.apiToken}` } });
  return res.ok;
}
