// The Deno host (worker/deno/main.ts) as `npm run start:deno` runs it, with one addition for the bench: on SIGUSR2
// it collects garbage (run with --v8-flags=--expose-gc) and prints one line, `bench-memory {…}`, of
// Deno.memoryUsage(), so that deno_sessions_idle_kb can read the V8 heap beside the process's RSS. Plain JavaScript:
// bench/tsconfig.json checks Node code, and this runs on Deno.
Deno.addSignalListener("SIGUSR2", () => {
  globalThis.gc?.();
  console.log(`bench-memory ${JSON.stringify(Deno.memoryUsage())}`);
});
await import("../../worker/deno/main.ts");
