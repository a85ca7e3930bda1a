import type { ErrorCode } from "#protocol/errors.ts";
import { toLineHeaders } from "../durable-objects/machine-line/line-headers.ts";
import { toJoinHeaders } from "../durable-objects/session/join-headers.ts";
import { refuse } from "../durable-objects/session/socket-io.ts";
import type { Host } from "./host.ts";
import { r2Store } from "./recordings/r2-store.ts";

/** The name of the one AuditLog object: a deployment serves one organisation. */
export const AUDIT_LOG_NAME = "log";

/** The name of the one SignInSweeper object: D1 holds one table of sign-ins. */
export const SIGN_IN_SWEEPER_NAME = "sign-ins";

/** The name of the one RecordingSweeper object. */
export const RECORDING_SWEEPER_NAME = "recordings";

/** A socket made on the spot only to say why it cannot join, then closed (1008); used by the Worker and the room. */
export function refuseSocket(code: ErrorCode, message: string): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  server.accept();
  refuse(server, code, message);
  return new Response(null, { status: 101, webSocket: client });
}

/** The one AuditLog object, which also delivers webhooks. */
function auditLog(env: Env) {
  return env.AUDIT_LOG.get(env.AUDIT_LOG.idFromName(AUDIT_LOG_NAME));
}

/**
 * The app's host on Cloudflare Workers: a SessionRoom object per session, a MachineLine per enrolled machine, a
 * RateLimiter per address, static assets.
 */
export function workersHost(env: Env): Host {
  return {
    room(code) {
      const stub = env.SESSION_ROOM.get(env.SESSION_ROOM.idFromName(code));
      return {
        create: (input) => stub.create(input),
        info: (customerKeyHash) => stub.info(customerKeyHash),
        async connect(_request, who, clientKey) {
          // A request built from scratch: nothing the client sent, its cookie included, reaches the room.
          const res = await stub.fetch("https://session-room/ws", {
            headers: { Upgrade: "websocket", ...toJoinHeaders(who, clientKey) },
          });
          // A fresh Response: the stub's has immutable headers, and the security-headers middleware adds its own.
          if (res.webSocket) return new Response(null, { status: 101, webSocket: res.webSocket });
          return new Response(res.body, res);
        },
      };
    },
    machineLine(machineId) {
      const stub = env.MACHINE_LINE.get(env.MACHINE_LINE.idFromName(machineId));
      return {
        async connect(_request, check) {
          // Built from scratch as the room's is: only the machine, its key and the origin reach the object.
          const res = await stub.fetch("https://machine-line/ws", {
            headers: { Upgrade: "websocket", ...toLineHeaders({ machineId, ...check }) },
          });
          if (res.webSocket) return new Response(null, { status: 101, webSocket: res.webSocket });
          return new Response(res.body, res);
        },
        wake: () => stub.wake(),
      };
    },
    // Cloudflare's edge sets CF-Connecting-IP, replacing any copy the client sent.
    clientAddress: (request) => request.headers.get("cf-connecting-ip") ?? undefined,
    hit: (key, scope, limitPerMinute) =>
      env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key)).hit(scope, limitPerMinute),
    sweepSignInsBy: (at) => env.SIGN_IN_SWEEPER.get(env.SIGN_IN_SWEEPER.idFromName(SIGN_IN_SWEEPER_NAME)).dueBy(at),
    audit: (input) => auditLog(env).append(input),
    webhooks: {
      wake: () => auditLog(env).deliver(),
      redeliver: (endpointId, messageId) => auditLog(env).redeliver(endpointId, messageId),
    },
    recordings: {
      store: r2Store(env.RECORDINGS),
      sweepBy: (at) => env.RECORDING_SWEEPER.get(env.RECORDING_SWEEPER.idFromName(RECORDING_SWEEPER_NAME)).dueBy(at),
    },
    // No object is touched: the socket is made here, told why, and closed.
    refuseSocket: (_request, code, message) => refuseSocket(code, message),
    async asset(request) {
      // Asset responses have immutable headers; a copy lets the security headers be added.
      const res = await env.ASSETS.fetch(request);
      return new Response(res.body, res);
    },
  };
}
