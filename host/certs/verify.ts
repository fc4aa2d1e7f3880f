// The X.509 path verifier (RFC 5280 §6, the parts a TLS peer needs), used by the TLS handshake for
// the peer's chain and by `gwsdk cert check`/`import` for our own. Synchronous and self-contained:
// bytes in, a verdict out. See docs/certificates.md ("Path verification") for the rules.
import { createHash } from "node:crypto";
import { CertError, type CertErrorCode } from "./errors.js";
import { parseCrl, type ParsedCrl } from "./crl.js";
import { matchCertificateName, violatesNameConstraints } from "./names.js";
import { verifySignature } from "./signature.js";
import { CertParseError, KeyUsage, OID, parseCertificate, type ParsedCert } from "./x509.js";

export type VerifyReason =
  | "untrusted" | "expired" | "notYetValid" | "clock" | "revoked" | "name" | "eku" | "notAllowed"
  | "badSignature" | "basicConstraints" | "pathLength" | "keyUsage" | "weakSignature" | "weakKey"
  | "crlMissing" | "crlStale" | "malformed";

export type Purpose = "serverAuth" | "clientAuth" | "clientOrServerAuth";
export type RevocationPolicy = "default" | "strict" | "off";

export interface VerifyParams {
  /** DER, leaf first, then intermediates as received (any order, extras ok). */
  chain: Uint8Array[];
  /** Trusted roots (DER). Trusted by identity: exact DER, or same subject and same key. */
  anchors: Uint8Array[];
  /** DER CRLs. */
  crls?: Uint8Array[];
  /** default: revoked → fail, missing/stale CRL → warning; strict: both fail; off: no CRL check. */
  revocation?: RevocationPolicy;
  /** Default new Date(). */
  now?: Date;
  /** SDK build date; now < buildDate means the clock is wrong → reason "clock". */
  buildDate?: Date;
  /** EKU required of the leaf (absent EKU = any). */
  purpose: Purpose;
  /** Expected DNS name or IP (RFC 6125). */
  name?: string;
  /** Server role: the leaf must match one of these names. */
  allowedNames?: string[];
}

export interface VerifyWarning {
  reason: VerifyReason;
  message: string;
  depth?: number;
}

export interface VerifyResult {
  /** leaf → anchor */
  chain: ParsedCert[];
  warnings: VerifyWarning[];
}

/** Most reasons map to one store error code; TLS maps `reason` to an alert. */
export const REASON_CODES: Record<VerifyReason, CertErrorCode> = {
  untrusted: "ERR_CERT_UNTRUSTED",
  expired: "ERR_CERT_EXPIRED",
  notYetValid: "ERR_CERT_NOT_YET_VALID",
  clock: "ERR_CERT_CLOCK",
  revoked: "ERR_CERT_REVOKED",
  name: "ERR_CERT_NAME",
  notAllowed: "ERR_CERT_NAME",
  eku: "ERR_CERT_EKU",
  badSignature: "ERR_CERT_CHAIN",
  basicConstraints: "ERR_CERT_CHAIN",
  pathLength: "ERR_CERT_CHAIN",
  keyUsage: "ERR_CERT_CHAIN",
  weakSignature: "ERR_CERT_WEAK",
  weakKey: "ERR_CERT_WEAK",
  crlMissing: "ERR_CERT_CRL",
  crlStale: "ERR_CERT_CRL",
  malformed: "ERR_CERT_PARSE",
};

export class CertVerifyError extends CertError {
  declare readonly reason: VerifyReason;
  /** 0 = leaf, counting up towards the anchor. */
  readonly depth: number;
  /** Subject of the certificate at `depth`, when known. */
  readonly subject?: string;
  constructor(reason: VerifyReason, depth: number, message: string, subject?: string, options?: { cause?: unknown }) {
    super(REASON_CODES[reason], message, { reason, ...(options ?? {}) });
    this.depth = depth;
    if (subject !== undefined) this.subject = subject;
  }
}

/** Limits that keep a hostile peer from making path building expensive. */
const MAX_INPUT_CERTS = 16;
const MAX_PATH = 8;
const MAX_SIGNATURE_CHECKS = 32;
/** Keys weaker than this are refused (FIPS 140-2 / NIST SP 800-131A). */
const MIN_RSA_BITS = 2048;
const ALLOWED_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);
/** Tolerated clock skew when deciding whether a CRL is from the future. */
const CRL_SKEW_MS = 5 * 60_000;

export function ekuAllows(c: ParsedCert, purpose: Purpose): boolean {
  const eku = c.extKeyUsage;
  if (!eku || eku.includes(OID.anyExtendedKeyUsage)) return true;
  if (purpose === "serverAuth") return eku.includes(OID.serverAuth);
  if (purpose === "clientAuth") return eku.includes(OID.clientAuth);
  return eku.includes(OID.serverAuth) || eku.includes(OID.clientAuth);
}

function hexEq(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** Could `issuer` have issued `child` (names chain, key identifiers do not contradict)? */
function mayIssue(issuer: ParsedCert, child: ParsedCert): boolean {
  if (!hexEq(issuer.subject.der, child.issuer.der)) return false;
  if (child.authorityKeyId && issuer.subjectKeyId && child.authorityKeyId !== issuer.subjectKeyId) return false;
  return true;
}

interface Built {
  path: ParsedCert[];
  anchor: ParsedCert;
}

interface BuildFailure {
  reason: "untrusted" | "badSignature";
  depth: number;
  subject: string;
}

function buildPath(leaf: ParsedCert, pool: ParsedCert[], anchors: ParsedCert[]): Built | BuildFailure {
  let checks = 0;
  let badSig: BuildFailure | undefined;
  let deepest: BuildFailure = { reason: "untrusted", depth: 0, subject: leaf.subject.text };
  const verifies = (child: ParsedCert, issuer: ParsedCert): boolean => {
    if (++checks > MAX_SIGNATURE_CHECKS) return false;
    return verifySignature(child.signatureAlgorithm, child.tbs, child.signature, issuer.publicKey);
  };
  const extend = (path: ParsedCert[]): Built | undefined => {
    const cur = path[path.length - 1]!;
    const depth = path.length - 1;
    for (const a of anchors) {
      if (!mayIssue(a, cur)) continue;
      if (verifies(cur, a)) return { path, anchor: a };
      badSig ??= { reason: "badSignature", depth, subject: cur.subject.text };
    }
    if (path.length < MAX_PATH) {
      for (const c of pool) {
        if (path.some((p) => p.fingerprint256 === c.fingerprint256)) continue;
        // an intermediate that is itself an anchor (same subject and key) was handled above
        if (!mayIssue(c, cur)) continue;
        if (!verifies(cur, c)) {
          badSig ??= { reason: "badSignature", depth, subject: cur.subject.text };
          continue;
        }
        const r = extend([...path, c]);
        if (r) return r;
      }
    }
    if (depth >= deepest.depth) deepest = { reason: "untrusted", depth, subject: cur.subject.text };
    return undefined;
  };
  return extend([leaf]) ?? badSig ?? deepest;
}

/**
 * Parsed certificates and CRLs by SHA-256 of their DER. Parsing goes through OpenSSL's decoders
 * (public key, cross-check), about a millisecond per certificate on the target machines; the same
 * anchors, intermediates and CRLs come back on every handshake. Parsed objects are never mutated.
 */
class ParseCache<T> {
  private readonly map = new Map<string, T | Error>();
  constructor(private readonly max: number) {}
  get(der: Uint8Array, parse: (d: Uint8Array) => T): T {
    const key = createHash("sha256").update(der).digest("hex");
    let v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key); // most recently used goes last
    } else {
      try {
        v = parse(der);
      } catch (e) {
        v = e as Error;
      }
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    }
    this.map.set(key, v);
    if (v instanceof Error) throw v;
    return v;
  }
}
const certCache = new ParseCache<ParsedCert>(256);
const crlCache = new ParseCache<ParsedCrl>(32);

/** parseCertificate with the cache above. */
export function parseCertificateCached(der: Uint8Array): ParsedCert {
  return certCache.get(der, parseCertificate);
}

/** parseCrl with the cache above. */
export function parseCrlCached(der: Uint8Array): ParsedCrl {
  return crlCache.get(der, parseCrl);
}

function parseAt(der: Uint8Array, depth: number): ParsedCert {
  try {
    return parseCertificateCached(der);
  } catch (e) {
    throw new CertVerifyError("malformed", depth, `certificate at depth ${depth} is malformed: ${(e as Error).message}`, undefined, { cause: e });
  }
}

function iso(d: Date): string {
  return d.toISOString().replace(".000Z", "Z");
}

/**
 * Verifies a certificate chain. Returns the validated path (leaf → anchor) and warnings (missing or
 * stale CRLs under the default policy); throws CertVerifyError with a `reason` and the `depth` of
 * the certificate at fault.
 */
export function verifyChain(p: VerifyParams): VerifyResult {
  const now = p.now ?? new Date();
  const policy = p.revocation ?? "default";
  const warnings: VerifyWarning[] = [];
  if (p.chain.length === 0) throw new CertVerifyError("malformed", 0, "empty certificate chain");
  if (p.chain.length > MAX_INPUT_CERTS) throw new CertVerifyError("malformed", 0, `too many certificates (${p.chain.length} > ${MAX_INPUT_CERTS})`);
  const leaf = parseAt(p.chain[0]!, 0);
  const pool = p.chain.slice(1).map((d, i) => parseAt(d, i + 1));
  const anchors: ParsedCert[] = [];
  for (const a of p.anchors) {
    try {
      anchors.push(parseCertificateCached(a));
    } catch {
      /* an unreadable anchor anchors nothing; the store refuses such anchors when they are added */
    }
  }
  if (p.buildDate && now.getTime() < p.buildDate.getTime()) {
    throw new CertVerifyError("clock", 0, `the clock (${iso(now)}) is before this software was built (${iso(p.buildDate)}): set the time (NTP) before verifying certificates`);
  }

  const built = buildPath(leaf, pool, anchors);
  if (!("path" in built)) {
    const msg =
      built.reason === "badSignature"
        ? `the signature of "${built.subject}" (depth ${built.depth}) does not verify with its issuer's key`
        : `"${built.subject}" (depth ${built.depth}) does not chain to a trusted root: add the issuing CA with \`gwsdk cert trust add\``;
    throw new CertVerifyError(built.reason, built.depth, msg, built.subject);
  }
  const full = [...built.path, built.anchor];
  const last = full.length - 1;

  for (let i = 0; i <= last; i++) {
    const c = full[i]!;
    const who = `"${c.subject.text}" (depth ${i})`;
    const fail = (reason: VerifyReason, msg: string): never => {
      throw new CertVerifyError(reason, i, `${who}: ${msg}`, c.subject.text);
    };
    if (c.unknownCritical.length) fail("malformed", `unsupported critical extension ${c.unknownCritical.join(", ")}`);
    if ((c.keyType === "rsa" || c.keyType === "rsa-pss") && c.keyBits < MIN_RSA_BITS) fail("weakKey", `RSA ${c.keyBits}-bit key (minimum ${MIN_RSA_BITS})`);
    if (c.keyType === "ec" && !ALLOWED_CURVES.has(c.curve ?? "")) fail("weakKey", `EC curve ${c.curve} is not accepted (P-256, P-384, P-521)`);
    if (c.keyType !== "rsa" && c.keyType !== "rsa-pss" && c.keyType !== "ec") fail("weakKey", `key type ${c.keyType} is not accepted`);
    if (i < last && c.signatureAlgorithm.weak) fail("weakSignature", `signed with ${c.signatureAlgorithm.name} (MD5/SHA-1 are refused)`);
    if (now.getTime() < c.notBefore.getTime()) fail("notYetValid", `not valid before ${iso(c.notBefore)}`);
    if (now.getTime() > c.notAfter.getTime()) fail("expired", `expired on ${iso(c.notAfter)}`);
    if (i === 0) {
      if (c.keyUsage !== undefined && !(c.keyUsage & KeyUsage.digitalSignature)) fail("keyUsage", "keyUsage lacks digitalSignature");
      if (!ekuAllows(c, p.purpose)) fail("eku", `extendedKeyUsage does not allow ${p.purpose} (has ${c.extKeyUsage!.join(", ")})`);
      if (p.name !== undefined) {
        const m = matchCertificateName(c, p.name);
        if (!m.ok) fail("name", `not issued for "${p.name}" (names: ${m.presented.join(", ") || "none"})`);
      }
      if (p.allowedNames !== undefined) {
        if (!p.allowedNames.some((n) => matchCertificateName(c, n).ok)) {
          fail("notAllowed", `names ${[...c.dnsNames, ...c.ipAddresses, ...(c.hasSan ? [] : c.subject.commonNames)].join(", ") || "none"} are not among the allowed peers (${p.allowedNames.join(", ")})`);
        }
      }
    } else {
      // an issuer: RFC 5280 §6.1.4 (k), (n), (l) and §4.2.1.10
      if (c.basicConstraints?.ca !== true) fail("basicConstraints", "issues certificates but is not a CA (basicConstraints cA is not TRUE)");
      if (c.keyUsage !== undefined && !(c.keyUsage & KeyUsage.keyCertSign)) fail("keyUsage", "CA keyUsage lacks keyCertSign");
      const pathLen = c.basicConstraints!.pathLen;
      if (pathLen !== undefined) {
        let below = 0;
        for (let j = 1; j < i; j++) if (!full[j]!.selfIssued) below++;
        if (below > pathLen) fail("pathLength", `pathLenConstraint ${pathLen} but ${below} intermediate CA(s) below it`);
      }
      if (c.extKeyUsage && !ekuAllows(c, p.purpose)) fail("eku", `CA extendedKeyUsage does not allow ${p.purpose}`);
      const nc = c.nameConstraints;
      if (nc) {
        if ((nc.permitted?.other ?? 0) + (nc.excluded?.other ?? 0) > 0) fail("name", "name constraints of a form other than dNSName/iPAddress are not supported");
        for (let j = 0; j < i; j++) {
          if (j > 0 && full[j]!.selfIssued) continue;
          const bad = violatesNameConstraints(full[j]!, nc);
          if (bad !== undefined) {
            throw new CertVerifyError("name", j, `"${full[j]!.subject.text}" (depth ${j}): name "${bad}" violates the name constraints of "${c.subject.text}"`, full[j]!.subject.text);
          }
        }
      }
    }
  }

  if (policy !== "off") checkRevocation(full, p.crls ?? [], policy, now, warnings);
  return { chain: full, warnings };
}

function checkRevocation(full: ParsedCert[], crlDers: Uint8Array[], policy: RevocationPolicy, now: Date, warnings: VerifyWarning[]): void {
  const crls: ParsedCrl[] = [];
  for (const d of crlDers) {
    try {
      crls.push(crlCache.get(d, parseCrl));
    } catch (e) {
      if (!(e instanceof CertParseError)) throw e;
      warnings.push({ reason: "malformed", message: `a CRL could not be read and was ignored: ${e.message}` });
    }
  }
  for (let i = 0; i < full.length - 1; i++) {
    const c = full[i]!;
    const issuer = full[i + 1]!;
    const isCaCert = c.basicConstraints?.ca === true;
    let best: ParsedCrl | undefined;
    for (const crl of crls) {
      if (!hexEq(crl.issuer.der, issuer.subject.der)) continue;
      if (crl.scope === "ca" && !isCaCert) continue;
      if (crl.scope === "endEntity" && isCaCert) continue;
      if (crl.authorityKeyId && issuer.subjectKeyId && crl.authorityKeyId !== issuer.subjectKeyId) continue;
      if (issuer.keyUsage !== undefined && !(issuer.keyUsage & KeyUsage.cRLSign)) continue;
      if (crl.thisUpdate.getTime() > now.getTime() + CRL_SKEW_MS) continue;
      if (!verifySignature(crl.signatureAlgorithm, crl.tbs, crl.signature, issuer.publicKey)) continue;
      if (!best || crl.thisUpdate > best.thisUpdate) best = crl;
    }
    const who = `"${c.subject.text}" (depth ${i})`;
    if (!best) {
      const msg = `${who}: no CRL from "${issuer.subject.text}" (import one with \`gwsdk cert crl import\`)`;
      if (policy === "strict") throw new CertVerifyError("crlMissing", i, msg, c.subject.text);
      warnings.push({ reason: "crlMissing", message: msg, depth: i });
      continue;
    }
    const entry = best.revoked.get(c.serialHex);
    if (entry) {
      throw new CertVerifyError("revoked", i, `${who}: revoked on ${iso(entry.date)} (serial ${c.serialHex}, CRL of ${iso(best.thisUpdate)})`, c.subject.text);
    }
    if (!best.nextUpdate || best.nextUpdate.getTime() < now.getTime()) {
      const msg = `${who}: the CRL from "${issuer.subject.text}" is stale (next update ${best.nextUpdate ? iso(best.nextUpdate) : "not given"})`;
      if (policy === "strict") throw new CertVerifyError("crlStale", i, msg, c.subject.text);
      warnings.push({ reason: "crlStale", message: msg, depth: i });
    }
  }
}
