import type { BrowserContext, Page, WebSocketRoute } from "playwright-core";

/** A JSON frame a page received from the room, loosely typed: tests read only a few fields. */
export type Received = { type?: string; participantId?: string; ok?: boolean; code?: string };

/** What a page sent to any server (request URLs, Referer headers and bodies, WebSocket URLs and frames), and the room's JSON frames it got. */
export type Traffic = { sent: string[]; received: Received[] };

/** Records a page's traffic from now on. */
export function recordTraffic(page: Page): Traffic {
  const traffic: Traffic = { sent: [], received: [] };
  page.on("request", (request) => {
    traffic.sent.push(request.url(), request.headers().referer ?? "", request.postData() ?? "");
  });
  page.on("websocket", (ws) => {
    traffic.sent.push(ws.url());
    ws.on("framesent", (frame) => traffic.sent.push(String(frame.payload)));
    ws.on("framereceived", (frame) => {
      if (String(frame.payload).startsWith("{")) traffic.received.push(JSON.parse(String(frame.payload)));
    });
  });
  return traffic;
}

/**
 * Runs the room sockets of `context` (a role's, by the URL's `role=`) through Playwright and lets `rewrite` change
 * each frame the server sends to the page, as a hostile relay would; frames from the page pass as they are.
 */
export async function rewriteFromServer(
  context: BrowserContext,
  role: "customer" | "technician",
  rewrite: (frame: string) => string,
): Promise<void> {
  await context.routeWebSocket(new RegExp(`/ws\\?role=${role}$`), (page: WebSocketRoute) => {
    const server = page.connectToServer();
    server.onMessage((message) => page.send(rewrite(String(message))));
  });
}
