import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CertificateFingerprint } from "#protocol/handshake.ts";
import {
  certificateFingerprint,
  derFingerprint,
  isSameFingerprint,
  isSdpFingerprint,
  sdpFingerprints,
} from "../../client/core/fingerprint.ts";

const HEX_A = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).toUpperCase().padStart(2, "0")).join(":");
const HEX_B = Array.from({ length: 32 }, (_, i) => (255 - i).toString(16).toUpperCase().padStart(2, "0")).join(":");
const A = { algorithm: "sha-256", value: HEX_A } as const;

/** An SDP shaped like Chromium's: a session-level line is optional, every m= section carries its own. */
function sdp(mediaFingerprints: string[], session?: string): string {
  return [
    "v=0",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    ...(session ? [session] : []),
    ...mediaFingerprints.flatMap((line, i) => [
      `m=${i === 0 ? "video" : "application"} 9 UDP/TLS/RTP/SAVPF 96`,
      "a=ice-ufrag:ssaT",
      line,
      "a=setup:actpass",
    ]),
    "",
  ].join("\r\n");
}

describe("a certificate's fingerprint", () => {
  it("is its SHA-256 fingerprint in the protocol's shape, upper-case hex", () => {
    const certificate = {
      getFingerprints: () => [
        { algorithm: "sha-1", value: "00:11" },
        { algorithm: "SHA-256", value: HEX_A.toLowerCase() },
      ],
    };
    const fingerprint = certificateFingerprint(certificate);
    expect(fingerprint).toEqual(A);
    expect(CertificateFingerprint.safeParse(fingerprint).success).toBe(true);
  });

  it("is null for a certificate with no usable SHA-256 fingerprint", () => {
    expect(certificateFingerprint({ getFingerprints: () => [] })).toBeNull();
    expect(certificateFingerprint({ getFingerprints: () => [{ algorithm: "sha-256" }] })).toBeNull();
    expect(certificateFingerprint({ getFingerprints: () => [{ algorithm: "sha-256", value: "AB:CD" }] })).toBeNull();
    expect(certificateFingerprint({ getFingerprints: () => [{ algorithm: "sha-512", value: HEX_A }] })).toBeNull();
  });

  it("of a DER certificate is SHA-256 over its bytes, as getRemoteCertificates() gives them", () => {
    const der = Uint8Array.from({ length: 300 }, (_, i) => i % 251);
    const hex = createHash("sha256").update(der).digest("hex").toUpperCase();
    expect(derFingerprint(der)).toEqual({ algorithm: "sha-256", value: hex.match(/../g)?.join(":") });
    expect(CertificateFingerprint.safeParse(derFingerprint(der)).success).toBe(true);
  });

  it("compares equal whatever the case of its hex", () => {
    expect(isSameFingerprint(A, { algorithm: "sha-256", value: HEX_A.toLowerCase() })).toBe(true);
    expect(isSameFingerprint(A, { algorithm: "sha-256", value: HEX_B })).toBe(false);
  });
});

describe("the fingerprints in an SDP", () => {
  it("lists every a=fingerprint line, session- and media-level, normalised", () => {
    const text = sdp(
      [`a=fingerprint:sha-256 ${HEX_A.toLowerCase()}`, `a=fingerprint:SHA-256 ${HEX_B}`],
      `a=fingerprint:sha-256 ${HEX_A}`,
    );
    expect(sdpFingerprints(text)).toEqual([
      { algorithm: "sha-256", value: HEX_A },
      { algorithm: "sha-256", value: HEX_A },
      { algorithm: "sha-256", value: HEX_B },
    ]);
  });

  it("reads lines ending in LF alone as well as CRLF", () => {
    expect(sdpFingerprints(sdp([`a=fingerprint:sha-256 ${HEX_A}`]).replaceAll("\r\n", "\n"))).toEqual([A]);
  });

  it("lists a line it cannot read with an empty value rather than skipping it", () => {
    expect(sdpFingerprints(sdp(["a=fingerprint:sha-256"]))).toEqual([{ algorithm: "sha-256", value: "" }]);
    expect(sdpFingerprints(sdp([`a=fingerprint:sha-256 ${HEX_A} ${HEX_B}`]))).toEqual([
      { algorithm: "sha-256", value: "" },
    ]);
  });
});

describe("checking an SDP against the authenticated fingerprint", () => {
  it("accepts an SDP whose every fingerprint line is the authenticated one", () => {
    expect(isSdpFingerprint(sdp([`a=fingerprint:sha-256 ${HEX_A}`]), A)).toBe(true);
    expect(
      isSdpFingerprint(sdp([`a=fingerprint:sha-256 ${HEX_A}`, `a=fingerprint:sha-256 ${HEX_A.toLowerCase()}`]), A),
    ).toBe(true);
    expect(isSdpFingerprint(sdp([`a=fingerprint:sha-256 ${HEX_A}`], `a=fingerprint:sha-256 ${HEX_A}`), A)).toBe(true);
  });

  it("refuses an SDP rewritten to carry another certificate", () => {
    expect(isSdpFingerprint(sdp([`a=fingerprint:sha-256 ${HEX_B}`]), A)).toBe(false);
  });

  it("refuses an SDP with a second, different fingerprint anywhere", () => {
    expect(isSdpFingerprint(sdp([`a=fingerprint:sha-256 ${HEX_A}`, `a=fingerprint:sha-256 ${HEX_B}`]), A)).toBe(false);
    expect(isSdpFingerprint(sdp([`a=fingerprint:sha-256 ${HEX_A}`], `a=fingerprint:sha-256 ${HEX_B}`), A)).toBe(false);
  });

  it("refuses another hash function, even alongside the right fingerprint", () => {
    const sha1 = "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
    expect(isSdpFingerprint(sdp([sha1]), A)).toBe(false);
    expect(isSdpFingerprint(sdp([`a=fingerprint:sha-256 ${HEX_A}`, sha1]), A)).toBe(false);
  });

  it("refuses an SDP with no fingerprint at all, or one it cannot read", () => {
    expect(isSdpFingerprint(sdp(["a=mid:0"]), A)).toBe(false);
    expect(isSdpFingerprint("", A)).toBe(false);
    expect(isSdpFingerprint(sdp([`a=fingerprint:sha-256 ${HEX_A}`, "a=fingerprint:"]), A)).toBe(false);
    expect(isSdpFingerprint(sdp([`a=fingerprint:sha-256 ${HEX_A}`, `a=FINGERPRINT:sha-256 ${HEX_B}`]), A)).toBe(false);
  });
});
