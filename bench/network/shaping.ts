import { execFileSync } from "node:child_process";
import { shapingCommands } from "./impair.ts";

// The bottleneck's rate, with `tc` on `lo`. Only ever inside a private network namespace that has nothing but
// loopback (as `npm run bench` and docs/network.md's command make one): a real interface is never touched.

/** Throws unless this process's network namespace has no interface but `lo`. */
export function assertPrivateNetwork(): void {
  const links = execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\d+:\s*([^:@]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== "lo");
  if (links.length > 0) {
    throw new Error(`Refusing to shape traffic outside a private network namespace (found ${links.join(", ")})`);
  }
}

/** Removes any shaping from `lo`. */
export function clearShaping(): void {
  try {
    execFileSync("tc", ["qdisc", "del", "dev", "lo", "root"], { stdio: "ignore" });
  } catch {
    // Nothing was there.
  }
}

/** Limits UDP to and from `port` on `lo` to `rateKbit` each way, replacing any earlier limit. */
export function shapePort(port: number, rateKbit: number): void {
  assertPrivateNetwork();
  clearShaping();
  for (const args of shapingCommands(port, rateKbit)) execFileSync("tc", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** What the two classes sent and dropped, for the notes. */
export function shapingStats(): string {
  try {
    return execFileSync("tc", ["-s", "class", "show", "dev", "lo"], { encoding: "utf8" })
      .split("\n")
      .filter((line) => /^class|Sent/.test(line))
      .map((line) => line.trim())
      .join("; ");
  } catch {
    return "";
  }
}
