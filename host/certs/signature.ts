// Signature algorithms of certificates and CRLs (RFC 5280 §4.1.1.2, RFC 4055 RSASSA-PSS, RFC 5758
// ECDSA) and their verification with Node's crypto (OpenSSL). One table, one verify function.
import { constants, verify as nodeVerify, type KeyObject } from "node:crypto";
import { DerError, DerReader, TAG, bytesEqual, ctx, parseOid, smallInteger, type Tlv } from "./der.js";

export type HashName = "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512";
export type SignatureKind = "rsa-pkcs1" | "rsa-pss" | "ecdsa" | "unknown";

export interface SignatureAlgorithm {
  oid: string;
  /** Human name, e.g. "sha256WithRSAEncryption", "ecdsa-with-SHA384", "RSASSA-PSS(sha256)". */
  name: string;
  kind: SignatureKind;
  hash?: HashName;
  /** RSASSA-PSS salt length. */
  saltLength?: number;
  /** MD5 or SHA-1: refused as "weakSignature". */
  weak: boolean;
  /** The DER AlgorithmIdentifier, to compare the inner and outer copies of a certificate. */
  raw: Uint8Array;
}

const RSA_PKCS1: Record<string, [string, HashName]> = {
  "1.2.840.113549.1.1.4": ["md5WithRSAEncryption", "md5"],
  "1.2.840.113549.1.1.5": ["sha1WithRSAEncryption", "sha1"],
  "1.2.840.113549.1.1.14": ["sha224WithRSAEncryption", "sha224"],
  "1.2.840.113549.1.1.11": ["sha256WithRSAEncryption", "sha256"],
  "1.2.840.113549.1.1.12": ["sha384WithRSAEncryption", "sha384"],
  "1.2.840.113549.1.1.13": ["sha512WithRSAEncryption", "sha512"],
};
const ECDSA: Record<string, [string, HashName]> = {
  "1.2.840.10045.4.1": ["ecdsa-with-SHA1", "sha1"],
  "1.2.840.10045.4.3.1": ["ecdsa-with-SHA224", "sha224"],
  "1.2.840.10045.4.3.2": ["ecdsa-with-SHA256", "sha256"],
  "1.2.840.10045.4.3.3": ["ecdsa-with-SHA384", "sha384"],
  "1.2.840.10045.4.3.4": ["ecdsa-with-SHA512", "sha512"],
};
const HASH_OIDS: Record<string, HashName> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.4": "sha224",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};
const HASH_LEN: Record<HashName, number> = { md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };
export const OID_RSASSA_PSS = "1.2.840.113549.1.1.10";
const OID_MGF1 = "1.2.840.113549.1.1.8";

/** Reads a hash AlgorithmIdentifier (parameters NULL or absent). */
function hashAlgId(r: DerReader, what: string): HashName {
  const s = r.sequence(what);
  const oid = parseOid(s.read());
  const h = HASH_OIDS[oid];
  if (!h) throw new DerError(`${what}: unsupported hash ${oid}`);
  const p = s.optional(TAG.NULL);
  if (p && p.value.length) throw new DerError(`${what}: bad NULL`);
  s.end_(what);
  return h;
}

/** Parses an AlgorithmIdentifier used as a signature algorithm. Unknown OIDs give kind "unknown". */
export function parseSignatureAlgorithm(t: Tlv): SignatureAlgorithm {
  if (t.tag !== TAG.SEQUENCE) throw new DerError("signature algorithm: expected SEQUENCE");
  const r = DerReader.of(t);
  const oid = parseOid(r.read());
  const rsa = RSA_PKCS1[oid];
  if (rsa) {
    // RFC 4055 §5: parameters MUST be NULL; absent is tolerated (common encoder bug) but nothing else.
    const p = r.optional(TAG.NULL);
    if (p && p.value.length) throw new DerError("bad NULL parameters");
    r.end_("RSA signature parameters");
    return { oid, name: rsa[0], kind: "rsa-pkcs1", hash: rsa[1], weak: rsa[1] === "md5" || rsa[1] === "sha1", raw: t.raw };
  }
  const ec = ECDSA[oid];
  if (ec) {
    r.end_("ECDSA signature parameters must be absent"); // RFC 5758 §3.2
    return { oid, name: ec[0], kind: "ecdsa", hash: ec[1], weak: ec[1] === "sha1", raw: t.raw };
  }
  if (oid === OID_RSASSA_PSS) {
    // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT
    // mgf1SHA1, saltLength [2] DEFAULT 20, trailerField [3] DEFAULT 1 }
    const p = r.sequence("RSASSA-PSS parameters");
    r.end_("RSASSA-PSS");
    let hash: HashName = "sha1";
    let mgfHash: HashName = "sha1";
    let saltLength = 20;
    const h = p.optional(ctx(0, true));
    if (h) hash = hashAlgId(DerReader.of(h), "PSS hashAlgorithm");
    const m = p.optional(ctx(1, true));
    if (m) {
      const ms = DerReader.of(m).sequence("PSS maskGenAlgorithm");
      if (parseOid(ms.read()) !== OID_MGF1) throw new DerError("PSS: only MGF1 is supported");
      mgfHash = hashAlgId(ms, "MGF1 hash");
      ms.end_("MGF1");
    }
    const s = p.optional(ctx(2, true));
    if (s) saltLength = smallInteger(DerReader.of(s).read());
    const tf = p.optional(ctx(3, true));
    if (tf && smallInteger(DerReader.of(tf).read()) !== 1) throw new DerError("PSS: trailerField must be 1");
    p.end_("RSASSA-PSS parameters");
    if (mgfHash !== hash) throw new DerError("PSS: MGF1 hash differs from the message hash (unsupported)");
    return { oid, name: `RSASSA-PSS(${hash})`, kind: "rsa-pss", hash, saltLength, weak: hash === "sha1", raw: t.raw };
  }
  return { oid, name: oid, kind: "unknown", weak: false, raw: t.raw };
}

/**
 * Verifies `signature` over `data` with `publicKey` under `alg`. Returns false on any mismatch
 * (wrong key type, bad signature, unsupported algorithm); never throws on hostile input.
 */
export function verifySignature(alg: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (!alg.hash || alg.kind === "unknown") return false;
  const kt = publicKey.asymmetricKeyType;
  try {
    switch (alg.kind) {
      case "rsa-pkcs1":
        if (kt !== "rsa") return false;
        return nodeVerify(alg.hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
      case "rsa-pss":
        if (kt !== "rsa" && kt !== "rsa-pss") return false;
        return nodeVerify(alg.hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength ?? HASH_LEN[alg.hash] }, signature);
      case "ecdsa":
        if (kt !== "ec") return false;
        return nodeVerify(alg.hash, data, { key: publicKey, dsaEncoding: "der" }, signature);
    }
  } catch {
    // OpenSSL refuses malformed signatures (bad DER in an ECDSA signature, wrong length) by throwing:
    // for the verifier that is simply "the signature does not verify".
    return false;
  }
}

export function sameAlgorithm(a: SignatureAlgorithm, b: SignatureAlgorithm): boolean {
  return bytesEqual(a.raw, b.raw);
}
