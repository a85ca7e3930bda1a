import { createApp } from "./app.ts";
import { workersHost } from "./workers-host.ts";

export { AuditLog } from "../durable-objects/audit-log/AuditLog.ts";
export { MachineLine } from "../durable-objects/machine-line/MachineLine.ts";
export { RateLimiter } from "../durable-objects/rate-limit/RateLimiter.ts";
export { RecordingSweeper } from "../durable-objects/recording-sweeper/RecordingSweeper.ts";
export { SessionRoom } from "../durable-objects/session/SessionRoom.ts";
export { SignInSweeper } from "../durable-objects/sign-in-sweeper/SignInSweeper.ts";

export default createApp(workersHost) satisfies ExportedHandler<Env>;
