import { describe, expect, it } from "vitest";
import { clientAddressOf } from "../../worker/deno/client-address.ts";

const PROXY = new Set(["127.0.0.1", "0:0:0:0:0:0:0:1"]);

describe("clientAddressOf (the Deno host's client address)", () => {
  it("is the TCP peer, whatever a client writes in X-Forwarded-For, unless the peer is a trusted proxy", () => {
    expect(clientAddressOf("203.0.113.5", "198.51.100.1", PROXY)).toBe("203.0.113.5");
    expect(clientAddressOf("203.0.113.5", "198.51.100.1", new Set())).toBe("203.0.113.5");
    expect(clientAddressOf("127.0.0.1", "198.51.100.1", new Set())).toBe("127.0.0.1");
  });

  it("behind a trusted proxy, is the right-most forwarded address that is not a trusted proxy", () => {
    expect(clientAddressOf("127.0.0.1", "198.51.100.1", PROXY)).toBe("198.51.100.1");
    expect(clientAddressOf("::1", "198.51.100.1", PROXY)).toBe("198.51.100.1");
    // What the client wrote itself comes first; the proxy appends the peer it saw.
    expect(clientAddressOf("127.0.0.1", "10.9.9.9, 198.51.100.1", PROXY)).toBe("198.51.100.1");
    expect(clientAddressOf("127.0.0.1", "198.51.100.1, 127.0.0.1", PROXY)).toBe("198.51.100.1");
    expect(clientAddressOf("::ffff:127.0.0.1", "2001:db8::7", PROXY)).toBe("2001:db8:0:0:0:0:0:7");
  });

  it("has no address when a trusted proxy names none, rather than the proxy's own for everyone", () => {
    expect(clientAddressOf("127.0.0.1", null, PROXY)).toBeUndefined();
    expect(clientAddressOf("127.0.0.1", "", PROXY)).toBeUndefined();
    expect(clientAddressOf("127.0.0.1", "garbage", PROXY)).toBeUndefined();
    expect(clientAddressOf(undefined, "198.51.100.1", PROXY)).toBeUndefined();
  });
});
