/** Structured log events. Never put a secret, token, password or keystroke in one. */
export type LogEvent =
  | { event: "config_invalid"; issues: string[] }
  | { event: "unhandled_error"; path: string; name: string; message: string }
  | { event: "technician_enrolled"; technicianId: string; isAdmin: boolean }
  | { event: "technician_signed_in"; technicianId: string }
  | { event: "passkey_added"; technicianId: string }
  | { event: "passkey_removed"; technicianId: string }
  | { event: "invite_created"; technicianId: string; expiresAt: number }
  | { event: "session_created"; technicianId: string | null; code: string; expiresAt: number }
  | { event: "session_ended"; code: string; reason: string }
  | { event: "room_joined"; code: string; role: "customer" | "technician"; isResumed: boolean }
  | { event: "room_join_refused"; code: string; reason: string }
  | { event: "room_socket_abusive"; code: string; participantId: string | null }
  | { event: "session_end_sync_failed"; code: string; message: string }
  /** A stored room failed its schema: the failing field's path ("" for the whole record), never its value. */
  | { event: "room_record_invalid"; code: string | null; field: string }
  | { event: "rate_limited"; scope: string };

/** Writes one structured event as a JSON line. */
export function log(entry: LogEvent): void {
  console.log(JSON.stringify({ ts: new Date().toISOString(), ...entry }));
}
