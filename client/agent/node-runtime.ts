import { apiClient, type CallApi } from "../web/src/lib/api.ts";
import type { SocketLike, TokenStorage } from "../web/src/rtc/signaling.ts";

// What the native agent passes the shared client core (client/core, client/web/src/rtc, lib/api.ts) where the pages
// pass the browser's: Node's WebSocket and fetch, aimed at the link's site, and a store for the seat token. The site
// refuses WebSocket upgrades and state-changing requests without one of its own origins, which a browser adds by
// itself and Node must be told to.

/** Node's WebSocket (undici's) takes headers as well, which the browser's cannot. */
type NodeWebSocket = new (url: string, init: { headers: Record<string, string> }) => SocketLike;

/** Opens room connections with Node's WebSocket, as a page of `origin` (and with `headers` besides). */
export function socketOpener(origin: string, headers: Record<string, string> = {}): (url: string) => SocketLike {
  const Socket = globalThis.WebSocket as unknown as NodeWebSocket;
  return (url) => new Socket(url, { headers: { ...headers, Origin: origin } });
}

/** The API client for the site at `origin`, through Node's fetch, as a page of that site. */
export function siteApi(origin: string): CallApi {
  return apiClient(origin, (url, init) =>
    fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), Origin: origin } }),
  );
}

/** The seat token's store for one run of the agent: a restart of the process takes a new seat. */
export class MemoryStorage implements TokenStorage {
  readonly #items = new Map<string, string>();

  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.#items.set(key, value);
  }

  removeItem(key: string): void {
    this.#items.delete(key);
  }
}
