// The Deno host (worker/deno/main.ts) as `npm run start:deno` runs it, with one addition for the bench: on SIGUSR2
// it collects garbage as an idle process would (run with --v8-flags=--expose-gc) and prints one line,
// `bench-memory {…}`, of Deno.memoryUsage(), so that deno_sessions_idle_kb can read the V8 heap beside the process's
// RSS. Plain JavaScript: bench/tsconfig.json checks Node code, and this runs on Deno.
Deno.addSignalListener("SIGUSR2", () => {
  // A memory-reducing collection, such as V8's memory reducer runs once a process has gone idle: besides the
  // garbage it gives back the young generation, which grows to tens of MB while sessions are being set up and which
  // a plain gc() leaves committed, to be counted as the sessions' memory.
  globalThis.gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
  console.log(`bench-memory ${JSON.stringify(Deno.memoryUsage())}`);
});
await import("../../worker/deno/main.ts");
