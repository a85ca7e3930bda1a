import { type ChildProcess, execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { spawnGroup } from "../../../worker/cli/process-group.ts";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../../..");

/** The documented deployment config; tests override only addresses, ports, secret and certificate. */
export const COTURN_CONFIG = path.join(root, "docs/coturn/turnserver.conf");

export type Coturn = {
  /** turn: over UDP, turn: over TCP and turns: (TLS over TCP), all on 127.0.0.1. */
  urls: { udp: string; tcp: string; tls: string };
  ports: { plain: number; tls: number };
  stop(): Promise<void>;
};

/** How long coturn may take to listen, or its test client to finish: bounds for a stuck process on a slow machine. */
const PATIENCE_MS = 60_000;

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}:\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`turnserver did not listen on ${port}:\n${output()}`);
}

/** Starts a real coturn on loopback with a fresh self-signed certificate (for `turns:`). */
export async function startCoturn(secret: string, ports = { plain: 23478, tls: 25349 }): Promise<Coturn> {
  const dir = mkdtempSync(path.join(tmpdir(), "tether-coturn-"));
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
  ]);
  const group = spawnGroup(
    "turnserver",
    [
      "-c",
      COTURN_CONFIG,
      "--listening-ip=127.0.0.1",
      "--relay-ip=127.0.0.1",
      `--listening-port=${ports.plain}`,
      `--tls-listening-port=${ports.tls}`,
      `--static-auth-secret=${secret}`,
      "--realm=tether.test",
      `--cert=${cert}`,
      `--pkey=${key}`,
      // Both browsers and the relay share loopback here; a deployment never needs this.
      "--allow-loopback-peers",
      "--min-port=40000",
      "--max-port=40999",
      `--pidfile=${path.join(dir, "turnserver.pid")}`,
    ],
    { cwd: dir, env: process.env },
  );
  const stop = async () => {
    await group.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(ports.plain, group.child, group.output);
    await waitForPort(ports.tls, group.child, group.output);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    urls: {
      udp: `turn:127.0.0.1:${ports.plain}?transport=udp`,
      tcp: `turn:127.0.0.1:${ports.plain}?transport=tcp`,
      tls: `turns:localhost:${ports.tls}?transport=tcp`,
    },
    ports,
    stop,
  };
}

/** Allocates a relay with coturn's own test client and sends a few packets through it; true when all arrive. */
export async function relayWorks(
  port: number,
  username: string,
  credential: string,
  transport: "udp" | "tcp",
): Promise<{ ok: boolean; output: string }> {
  const flags = transport === "udp" ? [] : ["-t"];
  const result = await run(
    "turnutils_uclient",
    [...flags, "-y", "-n", "5", "-u", username, "-w", credential, "-p", String(port), "127.0.0.1"],
    { timeout: PATIENCE_MS },
  ).then(
    ({ stdout, stderr }) => stdout + stderr,
    (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ""}${err.stderr ?? ""}`,
  );
  const ok = /Total lost packets 0 \(0\.0+%\)/.test(result) && !/Cannot complete Allocation/.test(result);
  return { ok, output: result.slice(-2000) };
}
