// The simulator's demo enterprise PKI, made in-process (no `openssl` CLI on a fresh machine): a root
// CA standing for the enterprise's AD CS, the Mediation pool certificate it issues, and the signing
// of the gateway's CSR. pkijs encodes the certificate; Node's crypto signs (as host/certs/csr.ts).
//
// The certificates follow what Skype for Business deployments carry:
//  - pool: subject CN = pool FQDN, SAN = pool FQDN + each member FQDN, EKU serverAuth only (the
//    Mediation Server presents it as a TLS client too), RSA 2048, SHA-256.
//  - gateway: subject and SANs from its CSR (the FQDN), EKU serverAuth + clientAuth.
// This CA exists for the desktop simulator only; its key sits in the state directory.
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { createHash, createPublicKey, generateKeyPair, randomBytes, sign as nodeSign, verify as nodeVerify, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { decodePem, toPem } from "../certs/pem.js";
import { OID } from "../certs/x509.js";
import { SimError } from "./errors.js";

const OID_SHA256_RSA = "1.2.840.113549.1.1.11";
const OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const OID_EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const DAY = 86_400_000;

const genKeyPair = promisify(generateKeyPair);

export type DemoKeyType = "rsa2048" | "p256";

export async function demoKey(type: DemoKeyType = "rsa2048"): Promise<KeyObject> {
  const { privateKey } = type === "rsa2048" ? await genKeyPair("rsa", { modulusLength: 2048, publicExponent: 0x10001 }) : await genKeyPair("ec", { namedCurve: "prime256v1" });
  return privateKey;
}

export interface IssuedCertificate {
  der: Uint8Array;
  pem: string;
}

export interface DemoCa {
  cert: IssuedCertificate;
  key: KeyObject;
}

/** A Name with one attribute per RDN (pkijs would put several attributes into one multi-valued RDN). */
function nameOf(cn: string): pkijs.RelativeDistinguishedNames {
  const rdn = new pkijs.RelativeDistinguishedNames();
  rdn.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: cn }) }));
  return rdn;
}

function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ type: "spki", format: "der" }));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING. */
function keyIdentifier(spki: Uint8Array): Uint8Array {
  const info = pkijs.PublicKeyInfo.fromBER(spki.slice().buffer);
  return new Uint8Array(createHash("sha1").update(info.subjectPublicKey.valueBlock.valueHexView).digest());
}

function ab(u: Uint8Array): ArrayBuffer {
  return u.slice().buffer;
}

interface CertTemplate {
  subjectCn: string;
  spki: Uint8Array;
  dnsNames?: string[];
  ca?: boolean;
  eku?: ("serverAuth" | "clientAuth")[];
  notBefore: Date;
  notAfter: Date;
  /** The issuer; absent: self-signed by `selfKey`. */
  issuer?: DemoCa;
  selfKey?: KeyObject;
}

/** sha256WithRSAEncryption (PKCS#1 v1.5: Skype for Business refuses PSS) or ecdsa-with-SHA256. */
function signatureAlgorithm(key: KeyObject): pkijs.AlgorithmIdentifier {
  if (key.asymmetricKeyType === "rsa") return new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256_RSA, algorithmParams: new asn1js.Null() });
  if (key.asymmetricKeyType === "ec") return new pkijs.AlgorithmIdentifier({ algorithmId: OID_ECDSA_SHA256 });
  throw new SimError("ERR_SIM_PKI", `cannot sign with a ${String(key.asymmetricKeyType)} key`);
}

function signTbs(key: KeyObject, tbs: Uint8Array): Buffer {
  return key.asymmetricKeyType === "ec" ? nodeSign("sha256", tbs, { key, dsaEncoding: "der" }) : nodeSign("sha256", tbs, key);
}

function build(t: CertTemplate): IssuedCertificate {
  const signer = t.issuer?.key ?? t.selfKey;
  if (!signer) throw new SimError("ERR_SIM_PKI", "a certificate needs an issuer or a self-signing key");
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and exactly 16 octets
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  cert.subject = nameOf(t.subjectCn);
  const issuerSpki = t.issuer ? spkiOf(t.issuer.key) : t.spki;
  cert.issuer = t.issuer ? pkijs.Certificate.fromBER(ab(t.issuer.cert.der)).subject : nameOf(t.subjectCn);
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  const time = (d: Date) => new pkijs.Time({ type: d.getUTCFullYear() >= 2050 ? 1 : 0, value: d });
  cert.notBefore = time(t.notBefore);
  cert.notAfter = time(t.notAfter);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(ab(t.spki));
  const rsa = pkijs.PublicKeyInfo.fromBER(ab(t.spki)).algorithm.algorithmId === "1.2.840.113549.1.1.1";
  const ext: pkijs.Extension[] = [];
  ext.push(new pkijs.Extension({ extnID: OID.basicConstraints, critical: true, extnValue: new pkijs.BasicConstraints({ cA: !!t.ca }).toSchema().toBER(false) }));
  // keyUsage (RFC 5280 §4.2.1.3), named bits from the left: CA keyCertSign + cRLSign (+ digitalSignature);
  // an RSA end entity digitalSignature + keyEncipherment; an EC end entity digitalSignature only (RFC 8813).
  const ku = t.ca
    ? new asn1js.BitString({ valueHex: new Uint8Array([0x86]), unusedBits: 1 })
    : rsa
      ? new asn1js.BitString({ valueHex: new Uint8Array([0xa0]), unusedBits: 5 })
      : new asn1js.BitString({ valueHex: new Uint8Array([0x80]), unusedBits: 7 });
  ext.push(new pkijs.Extension({ extnID: OID.keyUsage, critical: true, extnValue: ku.toBER(false) }));
  if (t.eku?.length) {
    const purposes = t.eku.map((e) => (e === "serverAuth" ? OID.serverAuth : OID.clientAuth));
    ext.push(new pkijs.Extension({ extnID: OID.extKeyUsage, critical: false, extnValue: new pkijs.ExtKeyUsage({ keyPurposes: purposes }).toSchema().toBER(false) }));
  }
  if (t.dnsNames?.length) {
    const san = new pkijs.GeneralNames({ names: t.dnsNames.map((d) => new pkijs.GeneralName({ type: 2, value: d })) });
    ext.push(new pkijs.Extension({ extnID: OID.subjectAltName, critical: false, extnValue: san.toSchema().toBER(false) }));
  }
  ext.push(new pkijs.Extension({ extnID: OID.subjectKeyId, critical: false, extnValue: new asn1js.OctetString({ valueHex: keyIdentifier(t.spki) }).toBER(false) }));
  if (t.issuer) {
    const aki = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyIdentifier(issuerSpki) }) });
    ext.push(new pkijs.Extension({ extnID: OID.authorityKeyId, critical: false, extnValue: aki.toSchema().toBER(false) }));
  }
  cert.extensions = ext;
  const alg = signatureAlgorithm(signer);
  cert.signature = alg;
  cert.signatureAlgorithm = alg;
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  cert.tbsView = tbs;
  cert.signatureValue = new asn1js.BitString({ valueHex: signTbs(signer, tbs) });
  const der = new Uint8Array(cert.toSchema().toBER(false));
  return { der, pem: toPem("CERTIFICATE", der) };
}

/** A self-signed root for the demo enterprise (10 years; pathLen unconstrained). */
export async function createDemoCa(o: { commonName: string; validDays?: number; key?: KeyObject; now?: Date }): Promise<DemoCa> {
  const key = o.key ?? (await demoKey("rsa2048"));
  const now = o.now ?? new Date();
  const cert = build({ subjectCn: o.commonName, spki: spkiOf(key), ca: true, notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + (o.validDays ?? 3650) * DAY), selfKey: key });
  return { cert, key };
}

/** The Mediation pool certificate: CN = pool FQDN, SAN = pool + members, EKU serverAuth only. */
export function issuePoolCertificate(ca: DemoCa, o: { poolFqdn: string; memberFqdns: string[]; key: KeyObject; validDays?: number; now?: Date }): IssuedCertificate {
  const now = o.now ?? new Date();
  const names = [o.poolFqdn, ...o.memberFqdns.filter((m) => m !== o.poolFqdn)];
  return build({ subjectCn: o.poolFqdn, spki: spkiOf(o.key), dnsNames: names, eku: ["serverAuth"], notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + (o.validDays ?? 730) * DAY), issuer: ca });
}

/** What a CSR asks for, after its signature (proof of possession) was checked. */
export interface CsrRequest {
  commonName: string | undefined;
  dnsNames: string[];
  spki: Uint8Array;
}

/** Parses a PKCS#10 request and verifies its self-signature (RFC 2986 §3). */
export function readCsr(pem: string): CsrRequest {
  const block = decodePem(pem, "CSR").find((b) => b.label === "CERTIFICATE REQUEST");
  if (!block) throw new SimError("ERR_SIM_PKI", "no CERTIFICATE REQUEST block");
  const csr = pkijs.CertificationRequest.fromBER(ab(block.der));
  const spki = new Uint8Array(csr.subjectPublicKeyInfo.toSchema().toBER(false));
  const pub = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  const algo = csr.signatureAlgorithm.algorithmId;
  if (algo !== OID_SHA256_RSA && algo !== OID_ECDSA_SHA256) throw new SimError("ERR_SIM_PKI", `CSR signed with an unsupported algorithm ${algo}`);
  const sig = csr.signatureValue.valueBlock.valueHexView;
  const ok = nodeVerify("sha256", csr.tbsView, pub.asymmetricKeyType === "ec" ? { key: pub, dsaEncoding: "der" } : pub, sig);
  if (!ok) throw new SimError("ERR_SIM_PKI", "the CSR's signature does not verify (no proof of possession of the key)");
  const cn = csr.subject.typesAndValues.find((a) => a.type === OID.commonName)?.value.valueBlock.value as string | undefined;
  const dnsNames: string[] = [];
  for (const attr of csr.attributes ?? []) {
    if (attr.type !== OID_EXTENSION_REQUEST) continue;
    const exts = new pkijs.Extensions({ schema: attr.values[0] });
    for (const e of exts.extensions) {
      if (e.extnID !== OID.subjectAltName) continue;
      const gn = new pkijs.GeneralNames({ schema: asn1js.fromBER(e.extnValue.valueBlock.valueHexView).result });
      for (const n of gn.names) if (n.type === 2) dnsNames.push(String(n.value).toLowerCase());
    }
  }
  return { commonName: cn?.toLowerCase(), dnsNames, spki };
}

/**
 * Signs the gateway's CSR the way an AD CS "web server + client" template would: subject and SANs
 * from the request (which must name `fqdn`), EKU serverAuth + clientAuth.
 */
export function signGatewayCsr(ca: DemoCa, csrPem: string, o: { fqdn: string; validDays?: number; now?: Date }): IssuedCertificate {
  const req = readCsr(csrPem);
  const fqdn = o.fqdn.toLowerCase();
  if (req.commonName !== fqdn && !req.dnsNames.includes(fqdn)) throw new SimError("ERR_SIM_PKI", `the CSR does not name ${fqdn}`);
  const now = o.now ?? new Date();
  const names = req.dnsNames.length ? req.dnsNames : [fqdn];
  return build({ subjectCn: req.commonName ?? fqdn, spki: req.spki, dnsNames: names, eku: ["serverAuth", "clientAuth"], notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + (o.validDays ?? 365) * DAY), issuer: ca });
}
