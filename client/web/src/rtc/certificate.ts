import type { CertificateFingerprint } from "#protocol/handshake.ts";
import { certificateFingerprint } from "../../../core/fingerprint.ts";

/** This page's DTLS certificate and the fingerprint the handshake authenticates for it. */
export type LocalCertificate = { readonly certificate: RTCCertificate; readonly fingerprint: CertificateFingerprint };

/**
 * Makes this page's DTLS certificate (ECDSA P-256) before the handshake, so that the handshake can bind its fingerprint
 * and every connection of the page can use it (`certificates` in RTCConfiguration). Rejects if the browser cannot.
 */
export async function newCertificate(): Promise<LocalCertificate> {
  const keygen: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
  const certificate = await RTCPeerConnection.generateCertificate(keygen);
  const fingerprint = certificateFingerprint(certificate);
  if (!fingerprint) throw new Error("The browser made a certificate without a SHA-256 fingerprint.");
  return { certificate, fingerprint };
}
