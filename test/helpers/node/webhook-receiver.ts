import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { WebhookPayload } from "#protocol/webhooks.ts";

// A helpdesk's webhook receiver on loopback, as a helpdesk would write one: each path is an endpoint with its own
// secret, every delivery is checked with the standardwebhooks package, and a path can be told to fail its next
// requests (500) to show what retries do.

/** One request the receiver took, with its verdict. */
export type Delivery = {
  path: string;
  id: string;
  status: number;
  /** The verified payload, or null when the signature did not verify. */
  payload: WebhookPayload | null;
};

export type Receiver = {
  origin: string;
  deliveries: Delivery[];
  /** Deliveries to `path` that were answered 2xx and verified. */
  accepted(path: string): Delivery[];
  /** Sets the secret that `path`'s deliveries are verified with (the one the server showed once). */
  setSecret(path: string, secret: string): void;
  /** Answers `path`'s next `count` requests with 500 (Infinity: until told otherwise). */
  failNext(path: string, count: number): void;
  close(): Promise<void>;
};

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Starts a receiver on 127.0.0.1 at a free port. */
export async function startReceiver(): Promise<Receiver> {
  const secrets = new Map<string, string>();
  const failing = new Map<string, number>();
  const deliveries: Delivery[] = [];
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://receiver").pathname;
    const body = await readBody(request);
    const headers = {
      "webhook-id": String(request.headers["webhook-id"] ?? ""),
      "webhook-timestamp": String(request.headers["webhook-timestamp"] ?? ""),
      "webhook-signature": String(request.headers["webhook-signature"] ?? ""),
    };
    const left = failing.get(path) ?? 0;
    let payload: WebhookPayload | null = null;
    try {
      payload = WebhookPayload.parse(new Webhook(secrets.get(path) ?? "").verify(body, headers));
    } catch {
      payload = null;
    }
    const status = left > 0 ? 500 : payload ? 204 : 400;
    if (left > 0) failing.set(path, left - 1);
    deliveries.push({ path, id: headers["webhook-id"], status, payload });
    response.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    deliveries,
    accepted: (path) => deliveries.filter((d) => d.path === path && d.status < 300),
    setSecret: (path, secret) => secrets.set(path, secret),
    failNext: (path, count) => failing.set(path, count),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
