import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { WebSocket, WebSocketServer } from "ws";

// The floor for connect_ms and glass_to_glass_ms: the least a WebRTC screen share can cost on this machine. Two bare
// pages (customer.html, viewer.html, floor.js) served from memory, and a WebSocket relay that forwards every frame
// to the other page of the same room: no auth, no checks, no schema, no rate limits.

const PAGES: Record<string, string> = {
  "/customer.html": "text/html",
  "/viewer.html": "text/html",
  "/floor.js": "text/javascript",
};

export type FloorServer = { origin: string; stop(): Promise<void> };

/** Starts the floor's HTTP and WebSocket server on a free loopback port. */
export async function startFloor(): Promise<FloorServer> {
  const files = new Map(Object.keys(PAGES).map((p) => [p, readFileSync(path.join(import.meta.dirname, p))]));
  const http = createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://floor").pathname;
    const body = files.get(pathname);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": PAGES[pathname] ?? "text/plain", "cache-control": "no-store" }).end(body);
  });
  const rooms = new Map<string, Set<WebSocket>>();
  const wss = new WebSocketServer({ server: http, path: "/ws" });
  wss.on("connection", (ws, req) => {
    const room = new URL(req.url ?? "/", "http://floor").searchParams.get("room") ?? "";
    const members = rooms.get(room) ?? new Set<WebSocket>();
    rooms.set(room, members);
    members.add(ws);
    // Both pages present: tell both, as Tether's room says "peer joined".
    if (members.size === 2) for (const m of members) m.send('{"peer":true}');
    ws.on("message", (data, isBinary) => {
      for (const m of members) if (m !== ws && m.readyState === WebSocket.OPEN) m.send(data, { binary: isBinary });
    });
    ws.on("close", () => {
      members.delete(ws);
      if (members.size === 0) rooms.delete(room);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
