import { beforeEach } from "vitest";
import type { TestServer } from "./servers.ts";

/**
 * For a test file: when one of its tests fails, prints the last output of the servers it uses (request lines and
 * the room's JSON events, which never carry a secret), so that a failure on a CI machine says what the server saw.
 */
export function reportServersOnFailure(servers: () => (TestServer | undefined)[]): void {
  beforeEach((context) => {
    context.onTestFailed(() => {
      for (const server of servers()) {
        if (server) console.error(`--- the last output of ${server.name} at ${server.origin} ---\n${server.output()}`);
      }
    });
  });
}
