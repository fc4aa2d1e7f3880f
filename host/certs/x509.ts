// X.509 certificate parsing for the path verifier and the store (RFC 5280 §4). Our own strict DER
// parse (der.ts) of exactly the fields path validation needs, cross-checked by OpenSSL's parser
// (Node's X509Certificate): a certificate either of them refuses is "malformed".
import { X509Certificate, createHash, createPublicKey, type KeyObject } from "node:crypto";
import { DerError, DerReader, TAG, ctx, parseBitString, parseBoolean, parseOid, parseString, parseTime, integerBytes, smallInteger, toHex, type Tlv } from "./der.js";
import { parseSignatureAlgorithm, type SignatureAlgorithm } from "./signature.js";

export const OID = {
  commonName: "2.5.4.3",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  issuerAltName: "2.5.29.18",
  nameConstraints: "2.5.29.30",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  crlDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  anyExtendedKeyUsage: "2.5.29.37.0",
} as const;

/** Extensions we understand; any other critical extension makes a certificate unusable (§4.2). */
const KNOWN_EXTENSIONS = new Set<string>([
  OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.issuerAltName, OID.nameConstraints,
  OID.subjectKeyId, OID.authorityKeyId, OID.crlDistributionPoints, OID.certificatePolicies, OID.authorityInfoAccess,
]);

/** keyUsage bits (RFC 5280 §4.2.1.3), bit n of the BIT STRING as 1 << n. */
export const KeyUsage = {
  digitalSignature: 1 << 0,
  nonRepudiation: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
} as const;

const ATTR_NAMES: Record<string, string> = {
  "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
  "2.5.4.5": "serialNumber", "0.9.2342.19200300.100.1.25": "DC", "1.2.840.113549.1.9.1": "emailAddress",
};

export interface Name {
  /** The DER Name: issuer/subject chaining compares these bytes (RFC 5280 §7.1 binary comparison). */
  der: Uint8Array;
  /** "CN=gw1.contoso.com, O=Contoso" in encoded order. */
  text: string;
  commonNames: string[];
}

export interface GeneralSubtrees {
  dns: string[];
  ip: { addr: Uint8Array; mask: Uint8Array }[];
  /** Subtrees of forms we do not evaluate (email, URI, directoryName...). */
  other: number;
}

export interface ParsedCert {
  der: Uint8Array;
  tbs: Uint8Array;
  version: number;
  serialHex: string;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  publicKey: KeyObject;
  keyType: "rsa" | "rsa-pss" | "ec" | string;
  /** RSA modulus bits, or EC field size. */
  keyBits: number;
  /** OpenSSL curve name for EC keys (prime256v1, secp384r1, secp521r1...). */
  curve?: string;
  basicConstraints?: { ca: boolean; pathLen?: number };
  keyUsage?: number;
  extKeyUsage?: string[];
  dnsNames: string[];
  ipAddresses: string[];
  /** True when a subjectAltName extension is present (RFC 6125: then CN is not used). */
  hasSan: boolean;
  nameConstraints?: { permitted?: GeneralSubtrees; excluded?: GeneralSubtrees };
  subjectKeyId?: string;
  authorityKeyId?: string;
  crlUris: string[];
  /** Critical extensions we do not understand. */
  unknownCritical: string[];
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint256: string;
  selfIssued: boolean;
}

export class CertParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CertParseError";
  }
}

export function parseName(t: Tlv): Name {
  if (t.tag !== TAG.SEQUENCE) throw new DerError("Name: expected SEQUENCE");
  const parts: string[] = [];
  const cns: string[] = [];
  const r = DerReader.of(t);
  while (!r.done) {
    const set = DerReader.of(r.expect(TAG.SET, "RDN"));
    if (set.done) throw new DerError("empty RDN");
    while (!set.done) {
      const atv = set.sequence("AttributeTypeAndValue");
      const oid = parseOid(atv.read());
      const vt = atv.read();
      atv.end_("AttributeTypeAndValue");
      let v: string;
      try {
        v = parseString(vt);
      } catch {
        v = "#" + toHex(vt.raw);
      }
      if (oid === OID.commonName) cns.push(v);
      parts.push(`${ATTR_NAMES[oid] ?? oid}=${v}`);
    }
  }
  return { der: t.raw, text: parts.join(", "), commonNames: cns };
}

/** Formats a 4- or 16-byte iPAddress. */
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join(".");
  if (b.length === 16) {
    const g: number[] = [];
    for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
    // RFC 5952: compress the longest run (>= 2) of zero groups.
    let best = -1, bestLen = 0;
    for (let i = 0; i < 8; ) {
      if (g[i] !== 0) { i++; continue; }
      let j = i;
      while (j < 8 && g[j] === 0) j++;
      if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
      i = j;
    }
    const hexes = g.map((x) => x.toString(16));
    if (best < 0) return hexes.join(":");
    return hexes.slice(0, best).join(":") + "::" + hexes.slice(best + bestLen).join(":");
  }
  return "#" + toHex(b);
}

function parseGeneralNames(r: DerReader, out: { dns: string[]; ip: string[] }): void {
  while (!r.done) {
    const gn = r.read();
    if (gn.tag === ctx(2, false)) {
      const s = parseString({ ...gn, tag: TAG.IA5_STRING });
      out.dns.push(s);
    } else if (gn.tag === ctx(7, false)) {
      if (gn.value.length !== 4 && gn.value.length !== 16) throw new DerError("iPAddress must be 4 or 16 bytes");
      out.ip.push(formatIp(gn.value));
    }
    // other forms (email, URI, directoryName, otherName such as a UPN) are kept out of name matching
  }
}

function parseSubtrees(t: Tlv): GeneralSubtrees {
  const res: GeneralSubtrees = { dns: [], ip: [], other: 0 };
  const r = DerReader.of(t);
  if (r.done) throw new DerError("empty GeneralSubtrees");
  while (!r.done) {
    const st = r.sequence("GeneralSubtree");
    const base = st.read();
    const min = st.optional(ctx(0, false));
    if (min && smallInteger({ ...min, tag: TAG.INTEGER }) !== 0) throw new DerError("GeneralSubtree minimum must be 0");
    if (st.optional(ctx(1, false))) throw new DerError("GeneralSubtree maximum must be absent");
    st.end_("GeneralSubtree");
    if (base.tag === ctx(2, false)) res.dns.push(parseString({ ...base, tag: TAG.IA5_STRING }).toLowerCase());
    else if (base.tag === ctx(7, false)) {
      const v = base.value;
      if (v.length !== 8 && v.length !== 32) throw new DerError("iPAddress constraint must be 8 or 32 bytes");
      res.ip.push({ addr: v.subarray(0, v.length / 2), mask: v.subarray(v.length / 2) });
    } else res.other++;
  }
  return res;
}

/** Best-effort URIs of a cRLDistributionPoints extension (informational: `cert show`). */
function parseCdp(value: Uint8Array): string[] {
  const uris: string[] = [];
  try {
    const r = new DerReader(value).sequence("CRLDistributionPoints");
    while (!r.done) {
      const dp = r.sequence("DistributionPoint");
      const dpn = dp.optional(ctx(0, true));
      if (!dpn) continue;
      const full = DerReader.of(dpn).optional(ctx(0, true));
      if (!full) continue;
      const g = DerReader.of(full);
      while (!g.done) {
        const n = g.read();
        if (n.tag === ctx(6, false)) uris.push(parseString({ ...n, tag: TAG.IA5_STRING }));
      }
    }
  } catch {
    /* informational only */
  }
  return uris;
}

function parseExtension(cert: ParsedCert, oid: string, critical: boolean, value: Uint8Array): void {
  const r = new DerReader(value);
  switch (oid) {
    case OID.basicConstraints: {
      const s = r.sequence("basicConstraints");
      let ca = false;
      const b = s.optional(TAG.BOOLEAN);
      if (b) ca = parseBoolean(b);
      const pl = s.optional(TAG.INTEGER);
      s.end_("basicConstraints");
      cert.basicConstraints = { ca };
      if (pl) cert.basicConstraints.pathLen = smallInteger(pl);
      break;
    }
    case OID.keyUsage: {
      const bs = parseBitString(r.expect(TAG.BIT_STRING, "keyUsage"));
      let bits = 0;
      for (let i = 0; i < bs.bytes.length && i < 2; i++) {
        const byte = bs.bytes[i]!;
        for (let j = 0; j < 8; j++) if (byte & (0x80 >> j)) bits |= 1 << (i * 8 + j);
      }
      if (bits === 0) throw new DerError("keyUsage with no bit set"); // §4.2.1.3
      cert.keyUsage = bits;
      break;
    }
    case OID.extKeyUsage: {
      const s = r.sequence("extKeyUsage");
      const oids: string[] = [];
      while (!s.done) oids.push(parseOid(s.read()));
      if (oids.length === 0) throw new DerError("empty extKeyUsage");
      cert.extKeyUsage = oids;
      break;
    }
    case OID.subjectAltName: {
      const s = r.sequence("subjectAltName");
      if (s.done) throw new DerError("empty subjectAltName");
      const out = { dns: cert.dnsNames, ip: cert.ipAddresses };
      parseGeneralNames(s, out);
      cert.hasSan = true;
      break;
    }
    case OID.nameConstraints: {
      const s = r.sequence("nameConstraints");
      const p = s.optional(ctx(0, true));
      const e = s.optional(ctx(1, true));
      s.end_("nameConstraints");
      if (!p && !e) throw new DerError("empty nameConstraints");
      cert.nameConstraints = {};
      if (p) cert.nameConstraints.permitted = parseSubtrees(p);
      if (e) cert.nameConstraints.excluded = parseSubtrees(e);
      break;
    }
    case OID.subjectKeyId:
      cert.subjectKeyId = toHex(r.expect(TAG.OCTET_STRING, "subjectKeyIdentifier").value);
      break;
    case OID.authorityKeyId: {
      const s = r.sequence("authorityKeyIdentifier");
      const k = s.optional(ctx(0, false));
      if (k) cert.authorityKeyId = toHex(k.value);
      break;
    }
    case OID.crlDistributionPoints:
      cert.crlUris = parseCdp(value);
      return;
    default:
      if (critical && !KNOWN_EXTENSIONS.has(oid)) cert.unknownCritical.push(oid);
      return;
  }
  if (!r.done) throw new DerError(`extension ${oid}: trailing data`);
}

/** Parses one DER certificate. Throws CertParseError (never anything else). */
export function parseCertificate(der: Uint8Array): ParsedCert {
  const bytes = Uint8Array.from(der); // own copy: callers may reuse their buffers
  try {
    return parseInner(bytes);
  } catch (e) {
    if (e instanceof CertParseError) throw e;
    throw new CertParseError(`malformed certificate: ${(e as Error).message}`, { cause: e });
  }
}

function parseInner(der: Uint8Array): ParsedCert {
  const top = new DerReader(der);
  const certTlv = top.expect(TAG.SEQUENCE, "Certificate");
  top.end_("Certificate");
  const c = DerReader.of(certTlv);
  const tbsTlv = c.expect(TAG.SEQUENCE, "TBSCertificate");
  const outerAlg = parseSignatureAlgorithm(c.read());
  const sig = parseBitString(c.expect(TAG.BIT_STRING, "signatureValue"));
  c.end_("Certificate");
  if (sig.unusedBits !== 0) throw new DerError("signature BIT STRING with unused bits");

  const t = DerReader.of(tbsTlv);
  let version = 1;
  const v = t.optional(ctx(0, true));
  if (v) {
    const vr = DerReader.of(v);
    version = smallInteger(vr.read()) + 1;
    vr.end_("version");
    if (version === 1) throw new DerError("explicit v1 version is not DER");
    if (version > 3) throw new DerError(`unknown version ${version}`);
  }
  const serial = integerBytes(t.read());
  if (serial.length > 21) throw new DerError("serial number longer than 20 octets"); // §4.1.2.2 (+ sign byte)
  const innerAlg = parseSignatureAlgorithm(t.read());
  if (toHex(innerAlg.raw) !== toHex(outerAlg.raw)) throw new DerError("signature algorithm differs inside and outside the TBS"); // §4.1.1.2
  const issuer = parseName(t.expect(TAG.SEQUENCE, "issuer"));
  const validity = t.sequence("validity");
  const notBefore = parseTime(validity.read());
  const notAfter = parseTime(validity.read());
  validity.end_("validity");
  const subject = parseName(t.expect(TAG.SEQUENCE, "subject"));
  const spkiTlv = t.expect(TAG.SEQUENCE, "subjectPublicKeyInfo");
  const issuerUid = t.optional(ctx(1, false));
  const subjectUid = t.optional(ctx(2, false));
  if ((issuerUid || subjectUid) && version < 2) throw new DerError("unique identifiers need v2+");
  const cert: ParsedCert = {
    der,
    tbs: tbsTlv.raw,
    version,
    serialHex: toHex(serial),
    signatureAlgorithm: outerAlg,
    signature: sig.bytes,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: spkiTlv.raw,
    publicKey: undefined as unknown as KeyObject,
    keyType: "",
    keyBits: 0,
    dnsNames: [],
    ipAddresses: [],
    hasSan: false,
    crlUris: [],
    unknownCritical: [],
    fingerprint256: createHash("sha256").update(der).digest("hex"),
    selfIssued: toHex(issuer.der) === toHex(subject.der),
  };
  const extsWrap = t.optional(ctx(3, true));
  t.end_("TBSCertificate");
  if (extsWrap) {
    if (version !== 3) throw new DerError("extensions need v3");
    const ew = DerReader.of(extsWrap);
    const exts = ew.sequence("extensions");
    ew.end_("extensions wrapper");
    if (exts.done) throw new DerError("empty extensions");
    const seen = new Set<string>();
    while (!exts.done) {
      const e = exts.sequence("Extension");
      const oid = parseOid(e.read());
      let critical = false;
      const b = e.optional(TAG.BOOLEAN);
      if (b) critical = parseBoolean(b);
      const val = e.expect(TAG.OCTET_STRING, "extnValue").value;
      e.end_("Extension");
      if (seen.has(oid)) throw new DerError(`duplicate extension ${oid}`); // §4.2
      seen.add(oid);
      parseExtension(cert, oid, critical, val);
    }
  }
  // Public key: OpenSSL decides what the SPKI is (RSA modulus, EC point on a named curve).
  try {
    cert.publicKey = createPublicKey({ key: Buffer.from(cert.spki), format: "der", type: "spki" });
  } catch (e) {
    throw new CertParseError(`unsupported or malformed public key: ${(e as Error).message}`, { cause: e });
  }
  cert.keyType = cert.publicKey.asymmetricKeyType ?? "unknown";
  const d = cert.publicKey.asymmetricKeyDetails ?? {};
  if (cert.keyType === "rsa" || cert.keyType === "rsa-pss") cert.keyBits = d.modulusLength ?? 0;
  else if (cert.keyType === "ec") {
    cert.curve = d.namedCurve ?? "unknown";
    cert.keyBits = cert.curve === "prime256v1" ? 256 : cert.curve === "secp384r1" ? 384 : cert.curve === "secp521r1" ? 521 : 0;
  }
  // Cross-check with OpenSSL's own parser: what it cannot read, no TLS peer will accept either.
  try {
    new X509Certificate(der);
  } catch (e) {
    throw new CertParseError(`OpenSSL cannot parse this certificate: ${(e as Error).message}`, { cause: e });
  }
  return cert;
}

/** Days from `now` until `notAfter` (negative once expired), rounded down. */
export function daysRemaining(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
}

export function isCa(c: ParsedCert): boolean {
  return c.basicConstraints?.ca === true;
}

/** Human key description: "RSA 2048", "ECDSA P-256". */
export function describeKey(c: { keyType: string; keyBits: number; curve?: string }): string {
  if (c.keyType === "rsa" || c.keyType === "rsa-pss") return `RSA ${c.keyBits}`;
  if (c.keyType === "ec") return c.curve === "prime256v1" ? "ECDSA P-256" : c.curve === "secp384r1" ? "ECDSA P-384" : c.curve === "secp521r1" ? "ECDSA P-521" : `EC ${c.curve}`;
  return c.keyType;
}
