// DTLS certificate fingerprints, the link between the handshake and the media: each page makes its certificate before
// the handshake, the handshake authenticates both fingerprints, and afterwards a page accepts an SDP (and, where the
// browser shows it, a connected certificate) only if it carries the authenticated fingerprint. Anyone who rewrites
// the SDP in transit to put their own certificate in the middle is refused. Typed structurally, so this needs no DOM.

import { sha256 } from "@noble/hashes/sha2.js";
import { CertificateFingerprint } from "#protocol/handshake.ts";

/** What an RTCCertificate offers: its fingerprints, as RTCDtlsFingerprint (both fields optional in the DOM types). */
export type CertificateLike = {
  getFingerprints(): readonly { readonly algorithm?: string; readonly value?: string }[];
};

/** One `a=fingerprint` line of an SDP: the hash function's name in lower case and the value in upper case. */
export type SdpFingerprint = { readonly algorithm: string; readonly value: string };

/** The fingerprint the handshake sends for this page's certificate (SHA-256, upper-case hex); null if it has none. */
export function certificateFingerprint(certificate: CertificateLike): CertificateFingerprint | null {
  for (const { algorithm, value } of certificate.getFingerprints()) {
    const parsed = CertificateFingerprint.safeParse({
      algorithm: algorithm?.toLowerCase(),
      value: value?.toUpperCase(),
    });
    if (parsed.success) return parsed.data;
  }
  return null;
}

/**
 * Every `a=fingerprint` line of an SDP, at session and media level, in order. A line that does not read as
 * `algorithm value` is still listed (with what could be read), so that a check over the list cannot skip it.
 */
export function sdpFingerprints(sdp: string): SdpFingerprint[] {
  const fingerprints: SdpFingerprint[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const match = /^a=fingerprint:(.*)$/i.exec(line.trim());
    if (!match) continue;
    const [algorithm = "", value = "", ...rest] = (match[1] ?? "").trim().split(/\s+/);
    // Extra tokens make the line unreadable: list it with an empty value so that no comparison accepts it.
    fingerprints.push({ algorithm: algorithm.toLowerCase(), value: rest.length > 0 ? "" : value.toUpperCase() });
  }
  return fingerprints;
}

/**
 * Whether an SDP names only the authenticated certificate: at least one `a=fingerprint` line, and every one of them
 * SHA-256 with exactly the expected value. A second, different fingerprint or another hash function is refused,
 * because the browser might use it for the connection.
 */
export function isSdpFingerprint(sdp: string, expected: CertificateFingerprint): boolean {
  const fingerprints = sdpFingerprints(sdp);
  return (
    fingerprints.length > 0 &&
    fingerprints.every(
      ({ algorithm, value }) => algorithm === expected.algorithm && value === expected.value.toUpperCase(),
    )
  );
}

/**
 * The SHA-256 fingerprint of a DER-encoded certificate, as RTCDtlsTransport.getRemoteCertificates() returns it, so a
 * page can check that the connection uses the certificate the handshake authenticated.
 */
export function derFingerprint(der: Uint8Array): CertificateFingerprint {
  const hex = Array.from(sha256(der), (byte) => byte.toString(16).toUpperCase().padStart(2, "0"));
  return { algorithm: "sha-256", value: hex.join(":") };
}

/** Whether two fingerprints name the same certificate (same function, same value, any case of hex). */
export function isSameFingerprint(a: CertificateFingerprint, b: CertificateFingerprint): boolean {
  return a.algorithm.toLowerCase() === b.algorithm.toLowerCase() && a.value.toUpperCase() === b.value.toUpperCase();
}
