import { afterAll, beforeAll } from "vitest";
import { type ServerName, type ServerOptions, startServer, type TestServer } from "./servers.ts";

/** Starts `name` once for the enclosing describe block and stops it after; call the result inside tests. */
export function useServer(name: ServerName, options: ServerOptions = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startServer(name, options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error(`the ${name} server did not start`);
    return server;
  };
}
