import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";

/** One request the stand-in received. */
export type TurnApiCall = { method: string; path: string; authorization: string | undefined; body: unknown };

/**
 * A local stand-in for Cloudflare's TURN key API (rtc.live.cloudflare.com/v1), answering as its documentation
 * shows: generate-ice-servers → 201 with STUN and TURN URLs (port 53 included) and a fresh username/credential;
 * revoke → 204. Requests with another key or token get 401.
 */
export async function startTurnApi(keyId: string, apiToken: string) {
  const calls: TurnApiCall[] = [];
  const issued = new Set<string>();
  const revoked = new Set<string>();
  const readBody = async (req: IncomingMessage) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      return text;
    }
  };
  const server = createServer(async (req, res) => {
    const path = req.url ?? "";
    calls.push({ method: req.method ?? "", path, authorization: req.headers.authorization, body: await readBody(req) });
    const prefix = `/v1/turn/keys/${keyId}/credentials/`;
    if (req.method !== "POST" || !path.startsWith(prefix) || req.headers.authorization !== `Bearer ${apiToken}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    const rest = path.slice(prefix.length);
    if (rest === "generate-ice-servers") {
      const username = randomBytes(16).toString("hex");
      issued.add(username);
      res.writeHead(201, { "content-type": "application/json" }).end(
        JSON.stringify({
          iceServers: [
            { urls: ["stun:stun.cloudflare.com:3478", "stun:stun.cloudflare.com:53"] },
            {
              urls: [
                "turn:turn.cloudflare.com:3478?transport=udp",
                "turn:turn.cloudflare.com:53?transport=udp",
                "turn:turn.cloudflare.com:3478?transport=tcp",
                "turn:turn.cloudflare.com:80?transport=tcp",
                "turns:turn.cloudflare.com:5349?transport=tcp",
                "turns:turn.cloudflare.com:443?transport=tcp",
              ],
              username,
              credential: randomBytes(16).toString("hex"),
            },
          ],
        }),
      );
      return;
    }
    const revoke = /^([0-9a-f]+)\/revoke$/.exec(rest);
    if (revoke?.[1] && issued.has(revoke[1])) {
      revoked.add(revoke[1]);
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("stand-in did not bind");
  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    calls,
    issued,
    revoked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
