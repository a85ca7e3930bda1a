import { IceConfig } from "#protocol/ice.ts";
import { MIN_REFRESH_MS, refreshDelayMs } from "../../../core/ice-refresh.ts";
import { type ApiErrorCode, type CallApi, callApi } from "../lib/api.ts";

/** Refusals the room connection reports in its own words; the relay setting stays direct only meanwhile. */
const ROOM_REPORTS = new Set(["SESSION_ENDED", "SESSION_NOT_FOUND", "SEAT_KEY_INVALID", "SIGN_IN_REVOKED"]);

/** FILE_MAX_BYTES's default, for a server that does not say. */
const DEFAULT_MAX_FILE_BYTES = 104_857_600;

/** Which relay the server configured, and whether every connection must use it; null until the first answer. */
export type RelaySetting = { relay: IceConfig["relay"]; isForced: boolean } | null;

/**
 * A session's ICE servers, from GET /api/sessions/CODE/ice (STUN/TURN and the relay policy the admin set), fetched
 * once and again before the credentials expire. Until an answer arrives the configuration is direct only. A failed
 * fetch calls `onError` with its code; the page words what it means (no relay: direct only). The server answers a
 * signed-in technician (the cookie goes along) or the customer's page, which passes its seat proof in `headers`. `call`
 * is the API client: the page's own unless said (the native agent's names its site).
 */
export class IceServers {
  config: RTCConfiguration = { iceServers: [] };
  relay: RelaySetting = null;
  /** The largest file the session lets either side send (FILE_MAX_BYTES); the default until the first answer. */
  maxFileBytes = DEFAULT_MAX_FILE_BYTES;
  /** Settles when the first answer (or failure) is in: connections should wait for it. */
  readonly ready: Promise<void>;
  readonly #code: string;
  readonly #headers: Record<string, string>;
  readonly #onRefresh: (config: RTCConfiguration) => void;
  readonly #onError: (code: ApiErrorCode) => void;
  readonly #call: CallApi;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #isStopped = false;

  constructor(
    code: string,
    headers: Record<string, string>,
    onRefresh: (config: RTCConfiguration) => void,
    onError: (code: ApiErrorCode) => void,
    call: CallApi = callApi,
  ) {
    this.#code = code;
    this.#headers = headers;
    this.#onRefresh = onRefresh;
    this.#onError = onError;
    this.#call = call;
    this.ready = this.#load();
  }

  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#timer);
  }

  async #load(): Promise<void> {
    const ice = await this.#call("GET", `/api/sessions/${this.#code}/ice`, IceConfig, undefined, this.#headers);
    if (this.#isStopped) return;
    let nextMs = MIN_REFRESH_MS;
    if (ice.ok) {
      this.config = { iceServers: ice.data.iceServers, iceTransportPolicy: ice.data.iceTransportPolicy };
      this.relay = { relay: ice.data.relay, isForced: ice.data.iceTransportPolicy === "relay" };
      this.maxFileBytes = ice.data.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
      nextMs = refreshDelayMs(ice.data.expiresAt - Date.now());
      this.#onRefresh(this.config);
    } else if (!ROOM_REPORTS.has(ice.code)) {
      // A missing or ended session, or a page the session is not open to, is for the room connection to report; this
      // is about the relay only.
      this.#onError(ice.code);
    }
    this.#timer = setTimeout(() => void this.#load(), nextMs);
  }
}

/** Gives a live connection fresh ICE servers; they are used from its next gathering (an ICE restart) on. */
export function applyIceServers(pc: RTCPeerConnection, config: RTCConfiguration): void {
  try {
    pc.setConfiguration({ ...pc.getConfiguration(), ...config });
  } catch {
    // A closed connection, or a browser that refuses the change: the old servers stay until the next connection.
  }
}
