import type { AuditInput } from "#protocol/audit.ts";
import type { ErrorCode } from "#protocol/errors.ts";
import type { LineCheck } from "../durable-objects/machine-line/line.ts";
import type { TakeResult } from "../durable-objects/rate-limit/bucket.ts";
import type { CreateRoomInput, CreateRoomResult, RoomInfoResult } from "../durable-objects/session/room-runtime.ts";
import type { JoinRequest } from "../durable-objects/session/seats.ts";
import type { RecordingStore } from "./recordings/store.ts";

// The seam between the app and the runtime it is served on. Cloudflare Workers (workers-host.ts) reach rooms, machines'
// lines and rate limits through Durable Objects and static files through the assets binding; the Deno host (deno/)
// keeps rooms, lines and buckets in its own process and reads files from disk. Routes see only this.

/** One session's room, as the routes reach it. */
export type RoomHandle = {
  create(input: CreateRoomInput): Promise<CreateRoomResult>;
  /** The session as its customer's page sees it, for the holder of its seat key's hash only. */
  info(customerKeyHash: string): Promise<RoomInfoResult>;
  /**
   * Hands an authenticated, rate-limited WebSocket upgrade to the room as `who`, from the address `clientKey`
   * (client-key.ts); answers with the upgrade.
   */
  connect(request: Request, who: JoinRequest, clientKey: string): Promise<Response>;
};

/** One enrolled machine's line (GET /api/machines/:id/line, protocol/machines.ts), as the routes reach it. */
export type LineHandle = {
  /**
   * Hands a rate-limited WebSocket upgrade for an enrolled machine to its line, whose answer to the challenge is then
   * checked against `check` (its public key, as D1 holds it, and the site's origin); answers with the upgrade.
   */
  connect(request: Request, check: LineCheck): Promise<Response>;
  /** Tells the machine's proved line to beat now; resolves with how many sockets were told (0: none is open). */
  wake(): Promise<number>;
};

/** What the app needs from the runtime it runs on. */
export type Host = {
  /** The room of a session code (a handle; nothing is created until `create`). */
  room(code: string): RoomHandle;
  /** The line of the enrolled machine `machineId` (a handle; nothing is opened until `connect`). */
  machineLine(machineId: string): LineHandle;
  /** The address of the client that sent `request`, as the platform reports it (never what the client claims). */
  clientAddress(request: Request): string | undefined;
  /** Takes one token from the bucket of `scope` for the client address `key`. */
  hit(key: string, scope: string, limitPerMinute: number): Promise<Omit<TakeResult, "bucket">>;
  /** Answers a WebSocket upgrade with a socket that only says why it cannot join, then closes (1008). */
  refuseSocket(request: Request, code: ErrorCode, message: string): Response;
  /**
   * Makes sure expired sign-ins are deleted by `at` (a new sign-in's expiry) at the latest, by an alarm of the host's
   * own: the SignInSweeper object on Workers, a timer on Deno.
   */
  sweepSignInsBy(at: number): Promise<void>;
  /** Appends an entry to the organisation's audit log; resolves with its seq once it is stored. */
  audit(input: AuditInput): Promise<number>;
  /** Webhook delivery, which follows the audit log (webhooks/dispatcher.ts). */
  webhooks: {
    /** Delivers what waits as soon as possible: after an admin added an endpoint or enabled one again. */
    wake(): Promise<void>;
    /** Sends one earlier message to an endpoint again, now. */
    redeliver(endpointId: string, messageId: string): Promise<"sent" | "failed" | "not_found">;
  };
  /** Session recordings' bytes, and the sweep that finishes abandoned uploads and deletes expired recordings. */
  recordings: {
    store: RecordingStore;
    /** Makes sure the recordings sweep runs by `at`: the RecordingSweeper object's alarm on Workers, a timer on Deno. */
    sweepBy(at: number): Promise<void>;
  };
  /** A file of the built client (client/web/dist), answered the way Workers static assets are. */
  asset(request: Request): Promise<Response>;
};
