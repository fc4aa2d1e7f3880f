// Certificate revocation lists (RFC 5280 §5): strict DER parse of a complete, direct CRL. Delta
// CRLs and indirect CRLs are not supported: such a CRL is refused at parse time rather than half
// understood.
import { createHash } from "node:crypto";
import { DerError, DerReader, TAG, ctx, integerBytes, parseBitString, parseBoolean, parseOid, parseTime, smallInteger, toHex } from "./der.js";
import { parseSignatureAlgorithm, type SignatureAlgorithm } from "./signature.js";
import { CertParseError, parseName, type Name } from "./x509.js";

const OID_CRL_NUMBER = "2.5.29.20";
const OID_DELTA_CRL = "2.5.29.27";
const OID_IDP = "2.5.29.28";
const OID_AKI = "2.5.29.35";
const OID_REASON = "2.5.29.21";
const OID_INVALIDITY = "2.5.29.24";
const OID_CERT_ISSUER = "2.5.29.29";

export interface RevokedEntry {
  date: Date;
  reason?: number;
}

export interface ParsedCrl {
  der: Uint8Array;
  tbs: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
  issuer: Name;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Revoked serial numbers (lowercase hex of the DER INTEGER value) → entry. */
  revoked: Map<string, RevokedEntry>;
  crlNumber?: string;
  authorityKeyId?: string;
  /** From issuingDistributionPoint: which certificates this CRL covers. */
  scope: "all" | "endEntity" | "ca";
  fingerprint256: string;
}

export function parseCrl(der: Uint8Array): ParsedCrl {
  const bytes = Uint8Array.from(der);
  try {
    return parseInner(bytes);
  } catch (e) {
    if (e instanceof CertParseError) throw e;
    throw new CertParseError(`malformed CRL: ${(e as Error).message}`, { cause: e });
  }
}

function parseInner(der: Uint8Array): ParsedCrl {
  const top = new DerReader(der);
  const crlTlv = top.expect(TAG.SEQUENCE, "CertificateList");
  top.end_("CertificateList");
  const c = DerReader.of(crlTlv);
  const tbsTlv = c.expect(TAG.SEQUENCE, "TBSCertList");
  const alg = parseSignatureAlgorithm(c.read());
  const sig = parseBitString(c.expect(TAG.BIT_STRING, "signatureValue"));
  c.end_("CertificateList");
  const t = DerReader.of(tbsTlv);
  const ver = t.optional(TAG.INTEGER);
  if (ver && smallInteger(ver) !== 1) throw new DerError("CRL version must be v2 when present");
  const inner = parseSignatureAlgorithm(t.read());
  if (toHex(inner.raw) !== toHex(alg.raw)) throw new DerError("signature algorithm differs inside and outside the TBS");
  const issuer = parseName(t.expect(TAG.SEQUENCE, "issuer"));
  const thisUpdate = parseTime(t.read());
  let nextUpdate: Date | undefined;
  const nt = t.peekTag();
  if (nt === TAG.UTC_TIME || nt === TAG.GENERALIZED_TIME) nextUpdate = parseTime(t.read());
  const revoked = new Map<string, RevokedEntry>();
  const rl = t.optional(TAG.SEQUENCE);
  if (rl) {
    const r = DerReader.of(rl);
    while (!r.done) {
      const e = r.sequence("revokedCertificate");
      const serial = toHex(integerBytes(e.read()));
      const date = parseTime(e.read());
      const entry: RevokedEntry = { date };
      const exts = e.optional(TAG.SEQUENCE);
      e.end_("revokedCertificate");
      if (exts) {
        const x = DerReader.of(exts);
        while (!x.done) {
          const ext = x.sequence("crlEntryExtension");
          const oid = parseOid(ext.read());
          const b = ext.optional(TAG.BOOLEAN);
          const critical = b ? parseBoolean(b) : false;
          const val = ext.expect(TAG.OCTET_STRING, "extnValue").value;
          ext.end_("crlEntryExtension");
          if (oid === OID_REASON) {
            const vr = new DerReader(val);
            entry.reason = smallInteger(vr.read(), TAG.ENUMERATED);
          } else if (oid === OID_CERT_ISSUER) {
            throw new DerError("indirect CRLs (certificateIssuer entries) are not supported");
          } else if (critical && oid !== OID_INVALIDITY) {
            throw new DerError(`unsupported critical CRL entry extension ${oid}`);
          }
        }
      }
      revoked.set(serial, entry);
    }
  }
  const crl: ParsedCrl = {
    der,
    tbs: tbsTlv.raw,
    signatureAlgorithm: alg,
    signature: sig.bytes,
    issuer,
    thisUpdate,
    revoked,
    scope: "all",
    fingerprint256: createHash("sha256").update(der).digest("hex"),
  };
  if (nextUpdate) crl.nextUpdate = nextUpdate;
  const extsWrap = t.optional(ctx(0, true));
  t.end_("TBSCertList");
  if (extsWrap) {
    const w = DerReader.of(extsWrap);
    const x = w.sequence("crlExtensions");
    w.end_("crlExtensions wrapper");
    while (!x.done) {
      const ext = x.sequence("crlExtension");
      const oid = parseOid(ext.read());
      const b = ext.optional(TAG.BOOLEAN);
      const critical = b ? parseBoolean(b) : false;
      const val = ext.expect(TAG.OCTET_STRING, "extnValue").value;
      ext.end_("crlExtension");
      if (oid === OID_CRL_NUMBER) crl.crlNumber = toHex(integerBytes(new DerReader(val).read()));
      else if (oid === OID_AKI) {
        const s = new DerReader(val).sequence("authorityKeyIdentifier");
        const k = s.optional(ctx(0, false));
        if (k) crl.authorityKeyId = toHex(k.value);
      } else if (oid === OID_DELTA_CRL) throw new DerError("delta CRLs are not supported");
      else if (oid === OID_IDP) crl.scope = parseIdp(val);
      else if (critical) throw new DerError(`unsupported critical CRL extension ${oid}`);
    }
  }
  return crl;
}

/**
 * issuingDistributionPoint (§5.2.5): a distribution point name and onlyContainsUserCerts/CACerts
 * are understood; onlySomeReasons, indirectCRL and attribute-certificate CRLs are refused.
 */
function parseIdp(val: Uint8Array): ParsedCrl["scope"] {
  const r = new DerReader(val).sequence("issuingDistributionPoint");
  r.optional(ctx(0, true));
  let scope: ParsedCrl["scope"] = "all";
  const flag = (n: number): boolean => {
    const t = r.optional(ctx(n, false));
    return t ? parseBoolean({ ...t, tag: TAG.BOOLEAN }) : false;
  };
  if (flag(1)) scope = "endEntity";
  if (flag(2)) scope = scope === "all" ? "ca" : (() => { throw new DerError("IDP: both user-only and CA-only"); })();
  if (r.optional(ctx(3, false))) throw new DerError("CRLs limited to some reasons are not supported");
  if (flag(4)) throw new DerError("indirect CRLs are not supported");
  if (flag(5)) throw new DerError("attribute-certificate CRLs are not supported");
  r.end_("issuingDistributionPoint");
  return scope;
}

/** Compares two CRL numbers (hex of positive INTEGERs). */
export function compareCrlNumbers(a: string, b: string): number {
  const x = BigInt("0x" + a);
  const y = BigInt("0x" + b);
  return x < y ? -1 : x > y ? 1 : 0;
}
