// The peer's certificate chain as a person needs to see it (subject, SANs, EKU, issuer, expiry), and
// our verdicts on it: does our trust store validate it (the store's anchors, CRLs and revocation
// policy through host/certs/verify.ts, as our handshake does), and does it carry the name we
// connected as. Each FAIL says what to change.
import { CertVerifyError, verifyChain, type RevocationPolicy, type VerifyReason } from "../../certs/verify.js";
import { daysRemaining, describeKey, parseCertificate, OID, type ParsedCert } from "../../certs/x509.js";
import { matchCertificateName } from "../../certs/names.js";
import type { TrustConfig } from "../../certs/cert-store.js";
import type { ItemList } from "./items.js";

/** One certificate as the report shows it. */
export interface PeerCertificateInfo {
  subject: string;
  issuer: string;
  /** dNSName and iPAddress subjectAltNames. */
  sans: string[];
  /** Extended key usages by name (serverAuth, clientAuth) or OID; empty when the extension is absent (any use). */
  eku: string[];
  key: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  daysRemaining: number;
  fingerprintSha256: string;
  isCa: boolean;
}

const EKU_NAMES: Record<string, string> = {
  [OID.serverAuth]: "serverAuth",
  [OID.clientAuth]: "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "OCSPSigning",
};

/** Days before expiry from which the report warns (the certificate store warns at 30 too). */
export const EXPIRY_WARNING_DAYS = 30;

export function describeCertificate(c: ParsedCert, now: Date): PeerCertificateInfo {
  return {
    subject: c.subject.text,
    issuer: c.issuer.text,
    sans: [...c.dnsNames, ...c.ipAddresses],
    eku: (c.extKeyUsage ?? []).map((o) => EKU_NAMES[o] ?? o),
    key: describeKey(c),
    serialNumber: c.serialHex,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    daysRemaining: daysRemaining(c.notAfter, now),
    fingerprintSha256: c.fingerprint256,
    isCa: c.basicConstraints?.ca === true,
  };
}

/** What each verifier reason means for the person at the gateway. */
const TRUST_ADVICE: Partial<Record<VerifyReason, string>> = {
  untrusted:
    "import the root CA that issued the peer's certificate into the gateway's trust store (`gwsdk cert trust add ROOT.cer`); the Mediation Server's certificate usually comes from the enterprise CA (AD CS)",
  expired: "the peer's certificate (or a CA above it) has expired: the Mediation Server's administrator must renew it (Skype for Business Deployment Wizard, Request/Assign certificate)",
  notYetValid: "the certificate is not valid yet: check the clocks of both sides (NTP)",
  clock: "set the gateway's clock (NTP) before connecting",
  revoked: "the peer's certificate has been revoked by its CA: the peer needs a new certificate",
  eku: "the Mediation Server's certificate must allow Server Authentication (EKU serverAuth): reissue it from the Web Server (or a similar) template",
  weakKey: "the peer's key is too weak (RSA below 2048 bits or an unsupported curve): reissue the certificate",
  weakSignature: "a certificate of the chain is signed with SHA-1 or MD5: reissue it with SHA-256",
  badSignature: "a signature in the chain does not verify: the peer sends a wrong intermediate CA, or the chain was tampered with",
  basicConstraints: "a certificate in the chain that issues others is not marked as a CA: check the peer's intermediate CAs",
  keyUsage: "a certificate's key usage does not allow its role: reissue it from a template with the right key usage",
  pathLength: "the chain is longer than a CA allows: check the peer's intermediate CAs",
  malformed: "the certificate cannot be read or has an unsupported critical extension",
};

/**
 * A missing or stale CRL: a warning under the default revocation policy (enterprise CRL distribution
 * points are often unreachable from a gateway), a refusal under the strict one. The advice says which.
 */
export function crlAdvice(reason: "crlMissing" | "crlStale", policy: RevocationPolicy): string {
  const what =
    reason === "crlMissing"
      ? "the store holds no CRL of the CA that issued the peer's certificate, so its revocation could not be checked"
      : "the store's CRL of the CA that issued the peer's certificate is past its nextUpdate, so revocation was checked against old data";
  if (policy === "strict") {
    return `${what}, and the strict revocation policy refuses that: import a current CRL of that CA (\`gwsdk cert crl import FILE\`), or set the default policy, which accepts it with a warning (\`gwsdk cert crl policy default\`)`;
  }
  return `${what}; the ${policy} revocation policy accepts that with this warning. To check revocation, import a current CRL of that CA (\`gwsdk cert crl import FILE\`) and import it again before its nextUpdate`;
}

function trustAdvice(reason: VerifyReason, policy: RevocationPolicy): string | undefined {
  return reason === "crlMissing" || reason === "crlStale" ? crlAdvice(reason, policy) : TRUST_ADVICE[reason];
}

export interface CertificateAnalysis {
  chain: PeerCertificateInfo[];
  /** The trust verdict's reason when not trusted. */
  trustReason: VerifyReason | null;
  nameMatches: boolean | null;
}

/**
 * Adds the certificate items (certificate-chain, certificate-trust, certificate-name) for the
 * chain the peer sent (DER, its own first).
 */
export function analyseCertificate(items: ItemList, ders: Uint8Array[], trust: TrustConfig, servername: string, now: Date, buildDate: Date): CertificateAnalysis {
  const group = "certificate" as const;
  let parsed: ParsedCert[];
  try {
    parsed = ders.map((d) => parseCertificate(d));
  } catch (e) {
    items.add({ id: "certificate-chain", group, title: "Peer certificate chain", status: "fail", summary: `the peer's certificate cannot be read: ${(e as Error).message}`, advice: TRUST_ADVICE.malformed! });
    items.skip("certificate-trust", group, "Trusted by our trust store", "the certificate cannot be read");
    items.skip("certificate-name", group, `Issued for ${servername}`, "the certificate cannot be read");
    return { chain: [], trustReason: "malformed", nameMatches: null };
  }
  const chain = parsed.map((c) => describeCertificate(c, now));
  const leaf = parsed[0]!;
  const info = chain[0]!;

  // 1. the chain itself: expiry of every certificate the peer sent
  const expired = chain.find((c) => c.daysRemaining < 0 || Date.parse(c.notAfter) < now.getTime());
  const early = chain.find((c) => Date.parse(c.notBefore) > now.getTime());
  const soon = chain.filter((c) => c.daysRemaining >= 0 && c.daysRemaining < EXPIRY_WARNING_DAYS);
  const line = `${info.subject} (SANs: ${info.sans.join(", ") || "none"}; EKU: ${info.eku.join(", ") || "any"}; ${info.key}), issued by ${info.issuer}, valid until ${info.notAfter.slice(0, 10)}; ${chain.length} certificate(s) sent`;
  if (expired) {
    items.add({
      id: "certificate-chain", group, title: "Peer certificate chain", status: "fail",
      summary: `"${expired.subject}" expired on ${expired.notAfter.slice(0, 10)} (${-expired.daysRemaining} day(s) ago) — ${line}`,
      advice: TRUST_ADVICE.expired!,
    });
  } else if (early) {
    items.add({ id: "certificate-chain", group, title: "Peer certificate chain", status: "fail", summary: `"${early.subject}" is not valid before ${early.notBefore} — ${line}`, advice: TRUST_ADVICE.notYetValid! });
  } else if (soon.length) {
    items.add({
      id: "certificate-chain", group, title: "Peer certificate chain", status: "warn",
      summary: `"${soon[0]!.subject}" expires in ${soon[0]!.daysRemaining} day(s) (${soon[0]!.notAfter.slice(0, 10)}) — ${line}`,
      advice: "ask the Mediation Server's administrator to renew the certificate before it expires: the trunk stops at expiry",
    });
  } else {
    items.add({ id: "certificate-chain", group, title: "Peer certificate chain", status: "pass", summary: line });
  }

  // 2. trust: the chain against our store, as our handshake verifies it (without the name: item 3)
  let trustReason: VerifyReason | null = null;
  try {
    const r = verifyChain({ chain: ders, anchors: trust.anchors, crls: trust.crls, revocation: trust.revocation, now, buildDate, purpose: "serverAuth" });
    const anchor = r.chain[r.chain.length - 1]!;
    const warn = r.warnings[0];
    items.add({
      id: "certificate-trust", group, title: "Trusted by our trust store",
      status: warn ? "warn" : "pass",
      summary: `chains to the trusted root "${anchor.subject.text}" (${r.chain.length} certificate(s))${warn ? `; ${warn.message}` : ""}`,
      ...(warn ? { advice: trustAdvice(warn.reason, trust.revocation) ?? "see the warning" } : {}),
    });
  } catch (e) {
    if (!(e instanceof CertVerifyError)) throw e;
    trustReason = e.reason;
    items.add({
      id: "certificate-trust", group, title: "Trusted by our trust store", status: "fail",
      summary: `not trusted (${e.reason}): ${e.message}`,
      advice: trustAdvice(e.reason, trust.revocation) ?? "see the message",
    });
  }

  // 3. the name: the certificate must carry the name we connected as (SNI and name check)
  const m = matchCertificateName(leaf, servername);
  const names = m.ok ? [] : m.presented;
  if (m.ok) {
    items.add({ id: "certificate-name", group, title: `Issued for ${servername}`, status: "pass", summary: `the certificate carries ${servername} (matched by ${m.by === "cn" ? "its subject CN (no subjectAltName)" : "subjectAltName"})` });
  } else {
    const issuedFor = names[0] ?? "no name";
    items.add({
      id: "certificate-name", group, title: `Issued for ${servername}`, status: "fail",
      summary: `the peer's certificate was issued for ${issuedFor}${names.length > 1 ? ` (names: ${names.join(", ")})` : ""} but you connected as ${servername}`,
      advice: names.length
        ? `connect with a name the certificate carries: add the pool FQDN as --servername (${names.join(" or ")}), and configure the same FQDN as the gateway's Mediation pool; or have the peer's certificate reissued with ${servername} in its subjectAltName`
        : `the certificate carries no DNS name: have it reissued with ${servername} in its subjectAltName`,
    });
  }
  return { chain, trustReason, nameMatches: m.ok };
}
