import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import {
  chownSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

// A real systemd user manager for a test, so that a unit runs as systemd runs it (its sandbox, its restarts, its exit
// codes), kept to itself: this machine need not have booted with systemd, and the manager must not take over the
// machine's cgroups. So it runs (as root, or as an account it is given, dropping root at the last step) in
// - a cgroup of its own in every cgroup hierarchy, entered through a cgroup namespace: it sees that cgroup as the root
//   and manages nothing above it (the hierarchies are mounted again inside, as a container does), delegated to the
//   account as systemd delegates a user's;
// - a mount namespace in which /run/systemd/system exists (systemd's sign of a system booted with it), with the
//   inaccessible nodes PID 1 would have made there, on a tmpfs of that namespace only.
// Units come from $HOME/.config/systemd/user of the HOME it is given; `systemctl` runs inside its namespaces.

const SYSTEMD = "/lib/systemd/systemd";
/** The helper's unit whose start says the manager is up. */
const READY_UNIT = "test-manager-ready.service";
const run = promisify(execFile);

/** A cgroup hierarchy of this process: where it is mounted, how to mount it again, and this process's cgroup in it. */
type Hierarchy = { point: string; type: "cgroup" | "cgroup2"; options: string; own: string };

function hierarchies(): Hierarchy[] {
  // /proc/self/cgroup: "ID:CONTROLLERS:PATH" ("0::PATH" for cgroup2); mountinfo's fields after " - ": type, source,
  // super options ("rw,memory", "rw,name=systemd").
  const own = new Map<string, string>();
  for (const line of readFileSync("/proc/self/cgroup", "utf8").trim().split("\n")) {
    const [, controllers = "", cgroup = "/"] = line.split(":");
    own.set(controllers, cgroup);
  }
  const found: Hierarchy[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").trim().split("\n")) {
    const [before = "", after = ""] = line.split(" - ");
    const point = before.split(" ")[4] ?? "";
    const [type, , superOptions = ""] = after.split(" ");
    if (type !== "cgroup" && type !== "cgroup2") continue;
    const options = superOptions
      .split(",")
      .filter((option) => option !== "rw" && option !== "ro")
      .join(",");
    // A cgroup v1 hierarchy is the one whose controllers (or name=) its options all list.
    const listed = options.split(",");
    const key =
      type === "cgroup2"
        ? ""
        : [...own.keys()].find(
            (controllers) => controllers !== "" && controllers.split(",").every((c) => listed.includes(c)),
          );
    const cgroup = key === undefined ? undefined : own.get(key);
    if (cgroup === undefined) continue;
    found.push({ point, type, options, own: cgroup });
  }
  return found;
}

export type UserManager = {
  /** Runs `systemctl --user ARGS` in the manager's namespaces; its output, trimmed. */
  systemctl(...args: string[]): Promise<string>;
  /** One property of a unit, as `systemctl --user show -p NAME --value` says it. */
  property(unit: string, name: string): Promise<string>;
  /** Stops the manager (and its units) and removes its cgroups. */
  stop(): Promise<void>;
};

/** An account to run the manager as (its units with it): its user and group ids. */
export type Account = { uid: number; gid: number };

/**
 * Starts a user manager whose home (units, and `%h` in them) is `home`, as `account` (root's unless said: the home and
 * everything in it must then be the account's); resolves once it answers.
 */
export async function startUserManager(name: string, home: string, account?: Account): Promise<UserManager> {
  const runtime = path.join(home, ".run");
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  // Run as the account: setpriv drops root at the last step, once the namespaces and mounts are made.
  const as = account ? `setpriv --reuid=${account.uid} --regid=${account.gid} --clear-groups ` : "";
  const found = hierarchies();
  const cgroups = found.map((hierarchy) => path.join(hierarchy.point, hierarchy.own, name));
  for (const cgroup of cgroups) {
    mkdirSync(cgroup, { recursive: true });
    // Delegated to the account, as systemd's user@.service delegates a user's: the cgroup and the files that move
    // processes and enable controllers.
    if (account) {
      for (const entry of ["", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads", "tasks"]) {
        if (existsSync(path.join(cgroup, entry))) chownSync(path.join(cgroup, entry), account.uid, account.gid);
      }
    }
    // A cpuset cgroup (v1) takes no process before it has CPUs and memory nodes: its parent's.
    for (const file of ["cpuset.cpus", "cpuset.mems"]) {
      const own = path.join(cgroup, file);
      if (existsSync(own) && readFileSync(own, "utf8").trim() === "") {
        writeFileSync(own, readFileSync(path.join(path.dirname(cgroup), file), "utf8"));
      }
    }
  }
  const remount = found
    .map(({ point, type, options }) =>
      type === "cgroup2"
        ? `umount ${point} && mount -t cgroup2 cgroup2 ${point}`
        : `umount ${point} && mount -t cgroup -o ${options} cgroup ${point}`,
    )
    .join(" && ");
  const pidFile = path.join(runtime, "manager.pid");
  // A unit of the helper's own, started with the manager's default target, writes one line into this FIFO once the
  // manager runs its units (and so answers systemctl).
  const readyFifo = path.join(runtime, "ready");
  execFileSync("mkfifo", ["-m", "0600", readyFifo]);
  const units = path.join(home, ".config", "systemd", "user");
  mkdirSync(path.join(units, "default.target.wants"), { recursive: true });
  writeFileSync(
    path.join(units, READY_UNIT),
    `[Unit]\nDescription=The test's sign that the manager is up\n[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo up > ${readyFifo}'\n`,
  );
  symlinkSync(path.join(units, READY_UNIT), path.join(units, "default.target.wants", READY_UNIT));
  if (account) execFileSync("chown", ["-R", `${account.uid}:${account.gid}`, runtime, path.join(home, ".config")]);
  const inside = [
    remount,
    "mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system",
    // What systemd as PID 1 makes at boot, and units mount over what they may not reach (ProtectKernelLogs= over
    // /dev/kmsg, ProtectKernelTunables= over /proc/kcore): an inaccessible node of each kind.
    "mkdir /run/systemd/inaccessible && cd /run/systemd/inaccessible",
    "touch reg && mkdir dir && mknod chr c 0 0 && mknod blk b 0 0 && mkfifo fifo && chmod 0000 reg dir chr blk fifo",
    "cd /",
    `echo $$ > ${pidFile}`,
    `exec ${as}${SYSTEMD} --user`,
  ].join(" && ");
  const enter = cgroups.map((cgroup) => `echo $$ > ${path.join(cgroup, "cgroup.procs")}`).join(" && ");
  const manager: ChildProcess = spawn(
    "sh",
    ["-c", `${enter} && exec unshare --mount --cgroup --fork --kill-child sh -c '${inside}'`],
    {
      env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let errors = "";
  manager.stderr?.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => manager.once("exit", () => resolve()));

  const systemctl = async (...args: string[]): Promise<string> => {
    const pid = readFileSync(pidFile, "utf8").trim();
    const { stdout } = await run(
      "nsenter",
      [
        ...["-t", pid, "-m", "-C", "env", `XDG_RUNTIME_DIR=${runtime}`, `HOME=${home}`],
        ...`${as}systemctl --user`.split(" "),
        ...args,
      ],
      { encoding: "utf8" },
    );
    return stdout.trim();
  };

  // Up once it has started its units, the sign unit among them: its line through the FIFO is the event waited for.
  // If the manager exits first, nothing of it stays behind, and the FIFO's pending open is let go.
  try {
    await Promise.race([
      readFile(readyFifo, "utf8"),
      exited.then(() => Promise.reject(new Error(`systemd's user manager exited: ${errors}`))),
    ]);
  } catch (error) {
    release(readyFifo);
    manager.kill("SIGKILL");
    await exited;
    for (const cgroup of cgroups) removeCgroup(cgroup);
    throw error;
  }

  return {
    systemctl,
    property: (unit, name) => systemctl("show", "-p", name, "--value", unit),
    async stop() {
      // The manager stops its units and exits; if it cannot be asked, it is killed (unshare passes that on).
      await systemctl("exit").catch(() => manager.kill("SIGKILL"));
      await exited;
      for (const cgroup of cgroups) removeCgroup(cgroup);
    },
  };
}

/** Opens `fifo` for writing and closes it, so that a reader still waiting in its open gets an end of file. */
function release(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // Nobody reading it (ENXIO): nothing waits.
  }
}

/** Removes a cgroup and those systemd made in it, deepest first (a cgroup's files go with it). */
function removeCgroup(cgroup: string): void {
  if (!existsSync(cgroup)) return;
  for (const entry of readdirSync(cgroup, { withFileTypes: true })) {
    if (entry.isDirectory()) removeCgroup(path.join(cgroup, entry.name));
  }
  try {
    rmdirSync(cgroup);
  } catch {
    // Still holds a process a unit left behind: it goes when that process does.
  }
}
