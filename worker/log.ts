/** Structured log events. Never put a secret, token, password or keystroke in one. */
export type LogEvent =
  | { event: "config_invalid"; issues: string[] }
  | { event: "unhandled_error"; path: string; name: string; message: string }
  /** The recordings store (R2, or the Deno host's data directory) failed under a request: RECORDING_STORE_FAILED. */
  | { event: "recording_store_failed"; operation: string; message: string }
  /** The recordings sweep could not finish or delete one recording; it is tried again later. */
  | { event: "recording_sweep_failed"; recording: string; message: string }
  | { event: "technician_enrolled"; technicianId: string; isAdmin: boolean }
  | { event: "technician_signed_in"; technicianId: string }
  /** Sign-ins ended on the server: one (sign-out), all of a technician's, or by an admin's removal. */
  | { event: "signed_out"; technicianId: string; scope: "this" | "everywhere" }
  | { event: "passkey_added"; technicianId: string }
  | { event: "passkey_removed"; technicianId: string }
  | { event: "invite_created"; technicianId: string; expiresAt: number }
  /** An admin revoked an open invite (technicianId: the admin). */
  | { event: "invite_revoked"; technicianId: string }
  | { event: "technician_removed"; technicianId: string; by: string }
  /** Machines for unattended access (technicianId, by: the admin; enrolledBy: the admin who made the link). */
  | { event: "machine_enrolment_created"; technicianId: string; expiresAt: number }
  | { event: "machine_enrolled"; machineId: string; enrolledBy: string }
  | { event: "machine_renamed"; machineId: string; by: string }
  | { event: "machine_removed"; machineId: string; by: string }
  /** An admin (by) let a technician reach a machine, or took it back. */
  | { event: "machine_assigned"; machineId: string; technicianId: string; by: string }
  | { event: "machine_unassigned"; machineId: string; technicianId: string; by: string }
  /** A technician opened a session with an enrolled machine (unattended access). */
  | { event: "machine_session_opened"; machineId: string; technicianId: string; code: string }
  /** A heartbeat from an enrolled machine was refused: its signature, its clock, or a time it already sent. */
  | { event: "machine_heartbeat_refused"; machineId: string; reason: "signature" | "clock" | "replayed" }
  /**
   * A machine's line (its agent's WebSocket, protocol/machines.ts) was closed: a frame that is no answer, an answer
   * whose signature fails, none within LINE_ANSWER_TIMEOUT_MS, or an unproved socket closed to make room for a newer.
   */
  | { event: "machine_line_refused"; machineId: string; reason: "malformed" | "signature" | "late" | "crowded" }
  /** A session was opened with the machine but its line could not be told (the agent learns of it at its heartbeat). */
  | { event: "machine_line_wake_failed"; machineId: string; message: string }
  | { event: "technician_role_changed"; technicianId: string; isAdmin: boolean; by: string }
  | {
      event: "technician_name_changed";
      technicianId: string;
      isRenamed: boolean;
      /** Set when the lock changed. */
      nameLocked?: boolean;
      /** The technician themself, or the admin who changed it. */
      by: string;
    }
  | { event: "session_created"; technicianId: string | null; code: string; expiresAt: number }
  | { event: "session_ended"; code: string; reason: string }
  | { event: "room_joined"; code: string; role: "customer" | "technician"; isResumed: boolean }
  | { event: "room_join_refused"; code: string; reason: string }
  /** A technician's seat dropped because their sign-in was taken back. */
  | { event: "room_seat_revoked"; code: string; participantId: string }
  | { event: "sign_in_check_failed"; code: string; message: string }
  | { event: "room_socket_abusive"; code: string; participantId: string | null }
  | { event: "session_end_sync_failed"; code: string; message: string }
  /** A technician's handshake start: relayed (and charged), or refused while another is open or the wait runs. */
  | {
      event: "handshake_charged";
      code: string;
      outcome: "accepted" | "busy" | "wait" | "rate_limited";
      /** Failed starts in this session before this one. */
      failures: number;
    }
  /** The customer's page's verdict on a handshake (never the handshake's content). */
  | { event: "handshake_result"; code: string; outcome: "confirmed" | "failed" }
  /** The customer confirmed a technician of a session that had no owner, who now owns it. */
  | { event: "session_owner_confirmed"; code: string; technicianId: string }
  | { event: "session_owner_sync_failed"; code: string; message: string }
  | { event: "session_expiry_sync_failed"; code: string; message: string }
  /** A stored room failed its schema: the failing field's path ("" for the whole record), never its value. */
  | { event: "room_record_invalid"; code: string | null; field: string }
  | { event: "rate_limited"; scope: string }
  /** The Deno host answered connections over its cap with 503 SERVER_BUSY (count since the last such line). */
  | { event: "connections_refused"; count: number; maxConnections: number }
  /** The Deno host could not accept or forward connections (out of file descriptors or memory) and waits. */
  | { event: "accept_failed"; count: number; message: string }
  /** The Deno host started its HTTP server again after it stopped on an error. */
  | { event: "http_server_restarted"; message: string }
  /** The Deno host dropped WebSockets on a message announced far over WS_MAX_MESSAGE_BYTES, before reading it. */
  | { event: "websocket_messages_refused"; count: number; maxMessageBytes: number }
  /** The Deno host's fd limit allows fewer connections than configured; it takes `maxConnections`. */
  | { event: "connection_cap_lowered"; configured: number; maxConnections: number; openFilesLimit: number }
  /** An audit entry could not be stored (its type only). */
  | { event: "audit_append_failed"; type: string; message: string }
  | { event: "webhook_endpoint_added"; endpointId: string; by: string }
  | { event: "webhook_endpoint_removed"; endpointId: string; by: string }
  | { event: "webhook_endpoint_enabled"; endpointId: string; by: string }
  | { event: "webhook_endpoint_disabled"; endpointId: string; messageId: string }
  | { event: "webhook_run_failed"; message: string };

/** Writes one structured event as a JSON line. */
export function log(entry: LogEvent): void {
  console.log(JSON.stringify({ ts: new Date().toISOString(), ...entry }));
}
