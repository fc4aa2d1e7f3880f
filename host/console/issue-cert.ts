// Small X.509 certificates made on the device: the console's own self-signed HTTPS identity (used
// until the gateway has a CA-signed one, or when the board asks for a separate one), and the
// throw-away PKI of the demo trunk. pkijs encodes, Node's crypto signs — as host/certs/csr.ts does.
// These certificates are never used for the signalling plane's MTLS with a real Mediation Server.
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign as nodeSign, type KeyObject } from "node:crypto";
import { ipToBytes } from "../certs/names.js";
import { toPem } from "../certs/pem.js";
import { OID } from "../certs/x509.js";

const OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const OID_SHA256_RSA = "1.2.840.113549.1.1.11";

export interface IssueParams {
  /** Subject common name. */
  /** Subject common name (the only subject attribute: pkijs would put more into one multi-valued RDN). */
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** The subject's key (its public half is certified). Default: a fresh P-256 key. */
  key?: KeyObject;
  /** The issuing CA; absent: self-signed with `key`. */
  issuer?: { der: Uint8Array; key: KeyObject };
  /** A CA certificate (basicConstraints cA, keyCertSign). */
  ca?: boolean;
  /** Default ["serverAuth"] for end entities; none for CAs. */
  extKeyUsage?: ("serverAuth" | "clientAuth")[];
  notBefore?: Date;
  notAfter?: Date;
}

export interface IssuedCert {
  der: Uint8Array;
  certPem: string;
  key: KeyObject;
  keyPem: string;
}

const DAY = 86_400_000;

function name(cn: string): pkijs.RelativeDistinguishedNames {
  const rdn = new pkijs.RelativeDistinguishedNames();
  rdn.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: cn }) }));
  return rdn;
}

function keyId(spki: Uint8Array): Uint8Array {
  // RFC 5280 §4.2.1.2 method (1) over the whole SPKI: unique enough for a key identifier.
  return new Uint8Array(createHash("sha1").update(spki).digest());
}

function signatureAlgorithm(key: KeyObject): pkijs.AlgorithmIdentifier {
  if (key.asymmetricKeyType === "ec") return new pkijs.AlgorithmIdentifier({ algorithmId: OID_ECDSA_SHA256 });
  if (key.asymmetricKeyType === "rsa") return new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256_RSA, algorithmParams: new asn1js.Null() });
  throw new Error(`cannot sign with a ${key.asymmetricKeyType} key`);
}

/** Issues (or self-signs) a certificate. */
export function issueCertificate(p: IssueParams): IssuedCert {
  const key = p.key ?? generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
  const signer = p.issuer?.key ?? key;
  const spki = new Uint8Array(createPublicKey(key).export({ type: "spki", format: "der" }));
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, 16 bytes
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  const subject = name(p.commonName);
  cert.subject = subject;
  let issuerSpki = spki;
  if (p.issuer) {
    const ic = pkijs.Certificate.fromBER(new Uint8Array(p.issuer.der));
    cert.issuer = ic.subject;
    issuerSpki = new Uint8Array(ic.subjectPublicKeyInfo.toSchema().toBER(false));
  } else {
    cert.issuer = name(p.commonName);
  }
  const notBefore = p.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = p.notAfter ?? new Date(Date.now() + 365 * DAY);
  cert.notBefore = new pkijs.Time({ type: 0, value: notBefore });
  cert.notAfter = new pkijs.Time({ type: notAfter.getUTCFullYear() >= 2050 ? 1 : 0, value: notAfter });
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spki.buffer.slice(spki.byteOffset, spki.byteOffset + spki.byteLength));

  const exts: pkijs.Extension[] = [];
  exts.push(new pkijs.Extension({ extnID: OID.basicConstraints, critical: true, extnValue: new pkijs.BasicConstraints({ cA: !!p.ca }).toSchema().toBER(false) }));
  // keyUsage bits: digitalSignature (0x80), keyCertSign (0x04) + cRLSign (0x02) for CAs
  const ku = p.ca ? new asn1js.BitString({ valueHex: new Uint8Array([0x86]), unusedBits: 1 }) : new asn1js.BitString({ valueHex: new Uint8Array([0x80]), unusedBits: 7 });
  exts.push(new pkijs.Extension({ extnID: OID.keyUsage, critical: true, extnValue: ku.toBER(false) }));
  const eku = p.extKeyUsage ?? (p.ca ? [] : ["serverAuth"]);
  if (eku.length) {
    const purposes = eku.map((e) => (e === "serverAuth" ? OID.serverAuth : OID.clientAuth));
    exts.push(new pkijs.Extension({ extnID: OID.extKeyUsage, critical: false, extnValue: new pkijs.ExtKeyUsage({ keyPurposes: purposes }).toSchema().toBER(false) }));
  }
  const names: pkijs.GeneralName[] = [];
  for (const d of p.dnsNames ?? []) names.push(new pkijs.GeneralName({ type: 2, value: d }));
  for (const ip of p.ipAddresses ?? []) {
    const b = ipToBytes(ip);
    if (b) names.push(new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: b }) }));
  }
  if (names.length) exts.push(new pkijs.Extension({ extnID: OID.subjectAltName, critical: false, extnValue: new pkijs.GeneralNames({ names }).toSchema().toBER(false) }));
  exts.push(new pkijs.Extension({ extnID: OID.subjectKeyId, critical: false, extnValue: new asn1js.OctetString({ valueHex: keyId(spki) }).toBER(false) }));
  if (p.issuer) {
    const aki = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyId(issuerSpki) }) });
    exts.push(new pkijs.Extension({ extnID: OID.authorityKeyId, critical: false, extnValue: aki.toSchema().toBER(false) }));
  }
  cert.extensions = exts;

  const alg = signatureAlgorithm(signer);
  cert.signature = alg;
  cert.signatureAlgorithm = alg;
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  cert.tbsView = tbs;
  const sig = signer.asymmetricKeyType === "ec" ? nodeSign("sha256", tbs, { key: signer, dsaEncoding: "der" }) : nodeSign("sha256", tbs, signer);
  cert.signatureValue = new asn1js.BitString({ valueHex: sig });
  const der = new Uint8Array(cert.toSchema().toBER(false));
  return { der, certPem: toPem("CERTIFICATE", der), key, keyPem: key.export({ type: "pkcs8", format: "pem" }).toString() };
}
