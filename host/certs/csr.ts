// PKCS#10 certificate requests (RFC 2986) for AD CS enrolment: subject CN = gateway FQDN, SAN
// dNSName(s) (+ iPAddress when asked), EKU serverAuth + clientAuth, keyUsage digitalSignature
// (+ keyEncipherment for RSA only: RFC 8813 §3 forbids it for EC keys), signed with SHA-256
// (RSA PKCS#1 v1.5, which AD CS and Skype for Business accept; never PSS). One code path for RSA
// and EC: pkijs encodes, the key (a Node KeyObject) signs — the key never leaves Node.
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { createPublicKey, sign as nodeSign, type KeyObject } from "node:crypto";
import { CertError } from "./errors.js";
import { ipToBytes, normalizeDnsName } from "./names.js";
import { toPem } from "./pem.js";
import { OID } from "./x509.js";

const OID_EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const OID_SHA256_RSA = "1.2.840.113549.1.1.11";
const OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";

export interface CsrParams {
  fqdn: string;
  /** Extra SAN dNSNames (the FQDN is always the first SAN). */
  sans?: string[];
  /** SAN iPAddress entries. */
  ips?: string[];
  key: KeyObject;
}

export interface Csr {
  der: Uint8Array;
  pem: string;
}

export function checkFqdn(name: string, what = "FQDN"): string {
  const n = normalizeDnsName(name);
  if (!n || !n.includes(".")) throw new CertError("ERR_CERT_ARG", `${what} "${name}" is not a fully qualified host name (e.g. gw1.contoso.com)`);
  return n;
}

export function buildCsr(p: CsrParams): Csr {
  const fqdn = checkFqdn(p.fqdn);
  const dns = [fqdn];
  for (const s of p.sans ?? []) {
    const n = checkFqdn(s, "SAN");
    if (!dns.includes(n)) dns.push(n);
  }
  const ips = (p.ips ?? []).map((ip) => {
    const b = ipToBytes(ip);
    if (!b) throw new CertError("ERR_CERT_ARG", `"${ip}" is not an IP address`);
    return b;
  });
  const isRsa = p.key.asymmetricKeyType === "rsa";
  const isEc = p.key.asymmetricKeyType === "ec";
  if (!isRsa && !isEc) throw new CertError("ERR_CERT_UNSUPPORTED", `cannot make a CSR for a ${p.key.asymmetricKeyType} key`);

  const csr = new pkijs.CertificationRequest();
  csr.version = 0;
  csr.subject.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: fqdn }) }));
  const spki = new Uint8Array(createPublicKey(p.key).export({ type: "spki", format: "der" }));
  csr.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spki.buffer);

  const san = new pkijs.GeneralNames({
    names: [
      ...dns.map((d) => new pkijs.GeneralName({ type: 2, value: d })),
      ...ips.map((b) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: b }) })),
    ],
  });
  // keyUsage BIT STRING: bit 0 digitalSignature, bit 2 keyEncipherment (named bits, trailing zeros dropped)
  const ku = isRsa ? new asn1js.BitString({ valueHex: new Uint8Array([0xa0]), unusedBits: 5 }) : new asn1js.BitString({ valueHex: new Uint8Array([0x80]), unusedBits: 7 });
  const exts = new pkijs.Extensions({
    extensions: [
      new pkijs.Extension({ extnID: OID.subjectAltName, critical: false, extnValue: san.toSchema().toBER(false) }),
      new pkijs.Extension({ extnID: OID.keyUsage, critical: true, extnValue: ku.toBER(false) }),
      new pkijs.Extension({ extnID: OID.extKeyUsage, critical: false, extnValue: new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth, OID.clientAuth] }).toSchema().toBER(false) }),
    ],
  });
  csr.attributes = [new pkijs.Attribute({ type: OID_EXTENSION_REQUEST, values: [exts.toSchema()] })];

  const tbs = new Uint8Array((csr as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER(false));
  csr.tbsView = tbs;
  let sig: Buffer;
  if (isRsa) {
    csr.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256_RSA, algorithmParams: new asn1js.Null() });
    sig = nodeSign("sha256", tbs, p.key);
  } else {
    // SHA-256 for every key, as the enrolment spec asks (the CA signs the certificate with its own
    // choice; the CSR signature only proves possession of the key).
    csr.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID_ECDSA_SHA256 });
    sig = nodeSign("sha256", tbs, { key: p.key, dsaEncoding: "der" });
  }
  csr.signatureValue = new asn1js.BitString({ valueHex: sig });
  const der = new Uint8Array(csr.toSchema().toBER(false));
  return { der, pem: toPem("CERTIFICATE REQUEST", der) };
}
