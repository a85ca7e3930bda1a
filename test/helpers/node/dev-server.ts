import { type ServerOptions, startServer, type TestServer } from "./servers.ts";

/** A running `wrangler dev` with its own state folder, for one test file. */
export type DevServer = TestServer;

/** Builds the client, migrates a fresh local D1 and starts the real `wrangler dev` on a free port; `vars` override [vars]. */
export function startDevServer(options: ServerOptions = {}): Promise<DevServer> {
  return startServer("wrangler", options);
}
