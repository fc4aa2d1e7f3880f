// Certificate inputs a technician (or an attacker with the console) hands the gateway: PEM, DER
// X.509, CRLs, PKCS#7 bundles, PKCS#12 files, and the format-sniffing decodeInput in front of them.
// Seeds: tests/fuzz/corpus/<target>/ (made with openssl by tests/fuzz/make-corpus.ts).
// Properties: only CertError / CertParseError; whatever the X.509 parser accepts, the code that reads
// a parsed certificate (summaries, name matching) copes with; PEM round-trips.
import { CertError } from "../../../host/certs/errors.js";
import { decodePem, toPem } from "../../../host/certs/pem.js";
import { CertParseError, parseCertificate } from "../../../host/certs/x509.js";
import { parseCrl } from "../../../host/certs/crl.js";
import { isPkcs7, parsePkcs7 } from "../../../host/certs/pkcs7.js";
import { isPkcs12, parsePkcs12 } from "../../../host/certs/pkcs12.js";
import { decodeInput } from "../../../host/certs/input.js";
import { summarize } from "../../../host/certs/cert-store.js";
import { matchCertificateName } from "../../../host/certs/names.js";
import { ekuAllows } from "../../../host/certs/verify.js";
import { bump, check, enc, expectTyped, expectTypedAsync, instanceOf, latin1, sameBytes, type FuzzTarget } from "./types.js";

const isCertError = instanceOf(CertError);
const isParseError = instanceOf(CertParseError);
const CERT_COVERAGE = ["/dist/host/certs/"];

const DER_DICTIONARY = [
  Uint8Array.of(0x30, 0x80), Uint8Array.of(0x30, 0x82, 0xff, 0xff), Uint8Array.of(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff), Uint8Array.of(0x02, 0x01, 0x00),
  Uint8Array.of(0x02, 0x00), Uint8Array.of(0x05, 0x00), Uint8Array.of(0x01, 0x01, 0xff), Uint8Array.of(0x03, 0x01, 0x08), Uint8Array.of(0x00, 0x00),
  Uint8Array.of(0x17, 0x0d), Uint8Array.of(0x18, 0x0f), Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02), Uint8Array.of(0xa3), Uint8Array.of(0x1f, 0x81, 0x01),
  // OIDs: subjectAltName, basicConstraints, EKU, nameConstraints, rsaEncryption, ecPublicKey, P-256, sha256WithRSA, RSASSA-PSS, pkcs7 signedData, pkcs12 bags
  Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x11), Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x13), Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x25), Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x1e),
  Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01), Uint8Array.of(0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01),
  Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07), Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b),
  Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a), Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02),
  Uint8Array.of(0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x03),
  // iteration counts (PBKDF2 / PKCS#12 MAC): small, large
  Uint8Array.of(0x02, 0x01, 0x01), Uint8Array.of(0x02, 0x03, 0x01, 0x86, 0xa0), Uint8Array.of(0x02, 0x04, 0x7f, 0xff, 0xff, 0xff),
];

const PEM_DICTIONARY = ["-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n", "-----BEGIN X509 CRL-----\n", "-----BEGIN PKCS7-----\n", "-----END PKCS7-----\n",
  "-----BEGIN PRIVATE KEY-----\n", "-----BEGIN CERTIFICATE REQUEST-----\n", "Proc-Type: 4,ENCRYPTED\n", "====", "=\n", "\r\n", "MIIB", "subject=CN = x\n"];

function exerciseParsed(der: Uint8Array): void {
  const c = parseCertificate(der);
  // Consumers of a parsed certificate must cope with anything the parser accepts.
  const never = () => false;
  expectTyped("summarize", never, () => summarize(c, new Date("2026-01-01T00:00:00Z")));
  expectTyped("matchCertificateName", never, () => matchCertificateName(c, "gw1.contoso.com"));
  expectTyped("matchCertificateName (IP)", never, () => matchCertificateName(c, "10.0.0.1"));
  expectTyped("ekuAllows", never, () => ekuAllows(c, "clientOrServerAuth"));
}

const x509Counters: Record<string, number> = {};
export const x509: FuzzTarget = {
  name: "x509",
  description: "strict DER X.509 parser (host/certs/x509.ts) and what reads a parsed certificate",
  kind: "host",
  coverage: CERT_COVERAGE,
  maxLength: 8192,
  dictionary: DER_DICTIONARY,
  counters: x509Counters,
  run(input) {
    const r = expectTyped("parseCertificate", isParseError, () => parseCertificate(input));
    if (!r.ok) {
      bump(x509Counters, "refused");
      return;
    }
    bump(x509Counters, "accepted");
    exerciseParsed(input);
  },
};

const crlCounters: Record<string, number> = {};
export const crl: FuzzTarget = {
  name: "crl",
  description: "strict DER CRL parser (host/certs/crl.ts)",
  kind: "host",
  coverage: CERT_COVERAGE,
  maxLength: 8192,
  dictionary: DER_DICTIONARY,
  counters: crlCounters,
  run(input) {
    const r = expectTyped("parseCrl", isParseError, () => parseCrl(input));
    bump(crlCounters, r.ok ? "accepted" : "refused");
  },
};

const pemCounters: Record<string, number> = {};
export const pem: FuzzTarget = {
  name: "pem",
  description: "RFC 7468 PEM decoder; toPem → decodePem round trip of every block",
  kind: "host",
  coverage: ["/dist/host/certs/pem"],
  maxLength: 8192,
  text: true,
  dictionary: PEM_DICTIONARY,
  counters: pemCounters,
  run(input) {
    const r = expectTyped("decodePem", isCertError, () => decodePem(latin1(input)));
    if (!r.ok) {
      bump(pemCounters, "refused");
      return;
    }
    bump(pemCounters, `blocks-${Math.min(r.value.length, 3)}`);
    for (const b of r.value) {
      const again = expectTyped("decodePem(toPem(block))", () => false, () => decodePem(toPem(b.label, b.der)));
      if (again.ok) check(again.value.length === 1 && again.value[0]!.label === b.label && sameBytes(again.value[0]!.der, b.der), "PEM round trip changed a block");
    }
  },
};

const p7Counters: Record<string, number> = {};
export const pkcs7: FuzzTarget = {
  name: "pkcs7",
  description: "PKCS#7 / CMS certs-only bundles (pkijs, BER); every certificate taken out re-parses or is refused by x509",
  kind: "host",
  coverage: [...CERT_COVERAGE, "/pkijs/", "/asn1js/"],
  maxLength: 16384,
  dictionary: DER_DICTIONARY,
  counters: p7Counters,
  run(input) {
    expectTyped("isPkcs7", () => false, () => isPkcs7(input));
    const r = expectTyped("parsePkcs7", isCertError, () => parsePkcs7(input));
    if (!r.ok) {
      bump(p7Counters, "refused");
      return;
    }
    bump(p7Counters, "accepted");
    for (const c of r.value.certificates) {
      const p = expectTyped("parseCertificate (from PKCS#7)", isParseError, () => parseCertificate(c));
      if (p.ok) exerciseParsed(c);
    }
    for (const c of r.value.crls) expectTyped("parseCrl (from PKCS#7)", isParseError, () => parseCrl(c));
  },
};

const p12Counters: Record<string, number> = {};
export const pkcs12: FuzzTarget = {
  name: "pkcs12",
  description: "PKCS#12 import: MAC check, PBES2 / legacy PBE decryption, bags (pkijs, node-forge); keys wiped on failure",
  kind: "host",
  coverage: [...CERT_COVERAGE, "/pkijs/", "/asn1js/"],
  maxLength: 16384,
  dictionary: DER_DICTIONARY,
  counters: p12Counters,
  async run(input) {
    expectTyped("isPkcs12", () => false, () => isPkcs12(input));
    const r = await expectTypedAsync("parsePkcs12", isCertError, () => parsePkcs12(input, "fuzz-password"));
    if (!r.ok) {
      bump(p12Counters, `refused-${(r.error as CertError).code}`);
      return;
    }
    bump(p12Counters, "accepted");
    for (const k of r.value.keys) k.fill(0);
  },
};

const inputCounters: Record<string, number> = {};
export const certInput: FuzzTarget = {
  name: "cert-input",
  description: "decodeInput: the format sniffing in front of `gwsdk cert import / trust add / crl import` (PEM, DER, PKCS#7, PKCS#12, CRL)",
  kind: "host",
  coverage: [...CERT_COVERAGE, "/pkijs/", "/asn1js/"],
  maxLength: 16384,
  dictionary: [...DER_DICTIONARY, ...PEM_DICTIONARY.map(enc)],
  counters: inputCounters,
  async run(input) {
    const r = await expectTypedAsync("decodeInput", isCertError, () => decodeInput(input, { source: "fuzz", password: "fuzz-password" }));
    if (!r.ok) {
      bump(inputCounters, `refused-${(r.error as CertError).code}`);
      return;
    }
    bump(inputCounters, `accepted-${r.value.format}`);
    for (const c of r.value.certificates) exerciseParsed(c);
    for (const k of r.value.keys) k.fill(0);
  },
};
