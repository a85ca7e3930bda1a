import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations(path.join(import.meta.dirname, "worker/db/migrations"));

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          // An upper bound, never an expectation: some unit tests start Node programs (npm run audit:verify, the
          // agent's commands), which took 5.9 s beside two CPU hogs, past vitest's default of 5 s.
          testTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                JWT_SECRET: "integration-test-secret-0123456789abcdef",
                // A fixed Ed25519 seed (32 bytes of 0x01), so that tests can pin the log's verifier key.
                AUDIT_SIGNING_KEY: "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE",
                TEST_MIGRATIONS: migrations,
                // Recording needs the customer's consent here (test/integration/recordings.test.ts).
                RECORDING_POLICY: "ask",
              },
            },
          }),
        ],
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          setupFiles: ["./test/helpers/workers/apply-migrations.ts"],
          // Upper bounds for a slow, loaded machine, well above the 30 s a test waits for any one frame.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          setupFiles: ["./test/helpers/node/private-network.ts"],
          environment: "node",
          // Upper bounds for a slow, loaded machine, never expectations: any one step (a poll here, a browser step
          // through STEP_TIMEOUT_MS) gets a minute, so a stuck one fails by name long before its test or hook does.
          expect: { poll: { timeout: 60_000 } },
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "servers",
          include: ["test/servers/**/*.test.ts"],
          setupFiles: ["./test/helpers/node/private-network.ts"],
          environment: "node",
          // Upper bounds for a slow, loaded machine: a server start may take up to 90 s and is retried once (a
          // restart test starts one), and a test waits up to 30 s for any one frame.
          testTimeout: 240_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
