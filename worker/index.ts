import { app } from "./app.ts";

export { RateLimiter } from "../durable-objects/rate-limit/RateLimiter.ts";
export { SessionRoom } from "../durable-objects/session/SessionRoom.ts";

export default app satisfies ExportedHandler<Env>;
