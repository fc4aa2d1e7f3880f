// Verifying the peer's certificate chain during the handshake: the RFC 5280 path verifier of the
// certificate store (host/certs/verify.ts) with the trust anchors, CRLs and revocation policy of the
// store, the name rules of each role, and the EKU rule of the profile. Each verifier reason becomes
// an ERR_TLS_CERT_* code and the alert RFC 8446 §6.2 / RFC 5246 §7.2 names for it.
import type { TrustConfig } from "../certs/cert-store.js";
import { CertVerifyError, verifyChain, type Purpose, type VerifyReason, type VerifyWarning } from "../certs/verify.js";
import type { ParsedCert } from "../certs/x509.js";
import type { TlsAlertName } from "./alerts.js";
import { refuse, type MtlsErrorCode, type TlsHandshakeError } from "./mtls-errors.js";

/** One certificate of the peer's verified path, as MtlsSocket.peerChain shows it. */
export interface PeerCertificate {
  subject: string;
  issuer: string;
  /** dNSName and iPAddress subjectAltNames. */
  sans: string[];
  notAfter: Date;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint256: string;
}

export interface VerifyPeerParams {
  /** DER certificates as received, the peer's own first. */
  chain: Uint8Array[];
  trust: TrustConfig;
  /** Our role: a client checks a server certificate, a server a client certificate. */
  role: "client" | "server";
  profile: "sfb" | "strict";
  /** Client role: the name the server certificate must carry (Mediation pool FQDN or member). */
  expectedName?: string;
  /** Server role: the client certificate must name one of these (the topology's pool members). */
  allowedPeers?: readonly string[];
  now: Date;
  buildDate: Date;
  /**
   * A clock before buildDate (a device that booted without time): "refuseTls" (default) refuses with
   * ERR_TLS_CLOCK; "warn" checks validity as of buildDate and adds a warning (board `time.beforeClockSet`).
   */
  beforeClockSet?: "refuseTls" | "warn";
}

export interface VerifiedPeer {
  /** leaf → trust anchor */
  path: ParsedCert[];
  warnings: VerifyWarning[];
}

/** Reason → (code, alert). RFC 8446 §6.2 describes each alert. */
const REFUSALS: Record<VerifyReason, [MtlsErrorCode, TlsAlertName]> = {
  untrusted: ["ERR_TLS_CERT_UNTRUSTED", "unknown_ca"],
  expired: ["ERR_TLS_CERT_EXPIRED", "certificate_expired"],
  // "certificate_expired: A certificate has expired or is not currently valid."
  notYetValid: ["ERR_TLS_CERT_NOT_YET_VALID", "certificate_expired"],
  // our clock is wrong: the certificate is not at fault, so no specific certificate alert
  clock: ["ERR_TLS_CLOCK", "certificate_unknown"],
  revoked: ["ERR_TLS_CERT_REVOKED", "certificate_revoked"],
  crlMissing: ["ERR_TLS_CERT_REVOCATION_UNKNOWN", "certificate_unknown"],
  crlStale: ["ERR_TLS_CERT_REVOCATION_UNKNOWN", "certificate_unknown"],
  name: ["ERR_TLS_CERT_NAME", "bad_certificate"],
  // "access_denied: A valid certificate ... was received, but when access control was applied, the
  // sender decided not to proceed with negotiation."
  notAllowed: ["ERR_TLS_PEER_NOT_ALLOWED", "access_denied"],
  // OpenSSL sends unsupported_certificate for a certificate of the wrong purpose too
  eku: ["ERR_TLS_CERT_EKU", "unsupported_certificate"],
  weakSignature: ["ERR_TLS_CERT_WEAK", "bad_certificate"],
  weakKey: ["ERR_TLS_CERT_WEAK", "bad_certificate"],
  badSignature: ["ERR_TLS_CERT_INVALID", "bad_certificate"],
  basicConstraints: ["ERR_TLS_CERT_INVALID", "bad_certificate"],
  pathLength: ["ERR_TLS_CERT_INVALID", "bad_certificate"],
  keyUsage: ["ERR_TLS_CERT_INVALID", "bad_certificate"],
  malformed: ["ERR_TLS_CERT_INVALID", "bad_certificate"],
};

const ADVICE: Partial<Record<VerifyReason, string>> = {
  untrusted: "add the issuing root CA to the gateway's trust store (`gwsdk cert trust add`)",
  expired: "the peer must renew its certificate",
  notYetValid: "check the clocks of both sides",
  clock: "set the gateway's clock (NTP) before connecting",
  revoked: "the peer must be issued a new certificate",
  crlMissing: "import a current CRL (`gwsdk cert crl import`) or use the default revocation policy",
  crlStale: "import a current CRL (`gwsdk cert crl import`)",
  eku: "issue the certificate from a template with the right Enhanced Key Usage",
};

/** The purpose the peer's leaf must allow. */
export function peerPurpose(role: "client" | "server", profile: "sfb" | "strict"): Purpose {
  if (role === "client") return "serverAuth";
  // Skype for Business certificates from the usual templates carry serverAuth only, also when the
  // Mediation Server is the TLS client; the "sfb" profile accepts either.
  return profile === "strict" ? "clientAuth" : "clientOrServerAuth";
}

/** Verifies the peer's chain; throws TlsHandshakeError with the code and alert of the first problem. */
export function verifyPeer(p: VerifyPeerParams): VerifiedPeer {
  const who = p.role === "client" ? "the server's certificate" : "the client's certificate";
  let now = p.now;
  const early: VerifyWarning[] = [];
  if (p.beforeClockSet === "warn" && now.getTime() < p.buildDate.getTime()) {
    early.push({ reason: "clock", message: `the clock (${now.toISOString()}) is before this software was built: ${who} was checked as of ${p.buildDate.toISOString()} (set the time with NTP)` });
    now = p.buildDate;
  }
  try {
    const r = verifyChain({
      chain: p.chain,
      anchors: p.trust.anchors,
      crls: p.trust.crls,
      revocation: p.trust.revocation,
      now,
      buildDate: p.buildDate,
      purpose: peerPurpose(p.role, p.profile),
      ...(p.expectedName !== undefined ? { name: p.expectedName } : {}),
      ...(p.allowedPeers !== undefined ? { allowedNames: [...p.allowedPeers] } : {}),
    });
    return { path: r.chain, warnings: [...early, ...r.warnings] };
  } catch (e) {
    if (!(e instanceof CertVerifyError)) throw e;
    throw certRefusal(e, who);
  }
}

export function certRefusal(e: CertVerifyError, who: string): TlsHandshakeError {
  const reason = e.reason;
  const [code, alert] = REFUSALS[reason] ?? (["ERR_TLS_CERT_INVALID", "bad_certificate"] as const);
  const advice = ADVICE[reason];
  const subject = reason === "clock" ? "" : `${who}: `;
  return refuse(code, alert, `${subject}${e.message}${advice ? ` (${advice})` : ""}`, { cause: e, reason, depth: e.depth });
}

export function describePeer(path: readonly ParsedCert[]): PeerCertificate[] {
  return path.map((c) => ({
    subject: c.subject.text,
    issuer: c.issuer.text,
    sans: [...c.dnsNames, ...c.ipAddresses],
    notAfter: c.notAfter,
    fingerprint256: c.fingerprint256,
  }));
}
