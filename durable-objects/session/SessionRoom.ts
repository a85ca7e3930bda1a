import { DurableObject } from "cloudflare:workers";

/** One per support session: signaling relay, seats, state and expiry. */
export class SessionRoom extends DurableObject<Env> {}
