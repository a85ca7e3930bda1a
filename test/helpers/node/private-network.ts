import { networkInterfaces } from "node:os";

// Suites that start browsers and servers run only inside a private network namespace that has nothing but
// loopback (`npm run test:e2e` makes one), so WebRTC can never reach another interface.
const outside = Object.keys(networkInterfaces()).filter((name) => name !== "lo");
if (outside.length > 0) {
  throw new Error(
    `Refusing to run outside a private network namespace (found ${outside.join(", ")}); use npm run test:e2e.`,
  );
}
