// Reading what a technician hands `gwsdk cert import/trust add/crl import`: PEM (any number of
// blocks), DER certificate, DER/PEM PKCS#7 (.p7b), PKCS#12 (.pfx) and DER/PEM CRLs. Every failure
// is a CertError naming the input.
import { CertError } from "./errors.js";
import { decodePem, looksLikePem } from "./pem.js";
import type * as Pkcs7 from "./pkcs7.js";
import type * as Pkcs12 from "./pkcs12.js";
import { parseCrl } from "./crl.js";
import { CertParseError, parseCertificate } from "./x509.js";

export type InputFormat = "pem" | "der" | "pkcs7" | "pkcs12" | "crl";

export interface DecodedInput {
  format: InputFormat;
  certificates: Uint8Array[];
  /** PKCS#8 DER keys (PKCS#12 only); the caller wipes them. */
  keys: Uint8Array[];
  crls: Uint8Array[];
}

export interface DecodeOptions {
  source?: string;
  /** Password for a PKCS#12, or a function asked when one is needed (terminal prompt). */
  password?: string | (() => Promise<string | undefined>);
}

function checkCert(der: Uint8Array, source: string, index: number): Uint8Array {
  try {
    parseCertificate(der);
    return der;
  } catch (e) {
    throw new CertError("ERR_CERT_PARSE", `${source}: certificate #${index + 1} is damaged: ${(e as Error).message}`, { file: source, cause: e });
  }
}

function checkCrl(der: Uint8Array, source: string): Uint8Array {
  try {
    parseCrl(der);
    return der;
  } catch (e) {
    throw new CertError("ERR_CERT_PARSE", `${source}: the CRL is damaged or unsupported: ${(e as Error).message}`, { file: source, cause: e });
  }
}

// pkijs and node-forge are loaded only when a PKCS#7/PKCS#12 file shows up (start-up time of the CLI).
const pkcs7 = (): Promise<typeof Pkcs7> => import("./pkcs7.js");
const pkcs12 = (): Promise<typeof Pkcs12> => import("./pkcs12.js");

export async function decodeInput(data: Uint8Array, opts: DecodeOptions = {}): Promise<DecodedInput> {
  const source = opts.source ?? "input";
  if (data.length === 0) throw new CertError("ERR_CERT_PARSE", `${source} is empty`, { file: source });
  // 16 MiB: an enterprise CA's CRL can run to megabytes; certificates and bundles are far smaller
  if (data.length > 1 << 24) throw new CertError("ERR_CERT_PARSE", `${source} is too large (${data.length} bytes)`, { file: source });
  const out: DecodedInput = { format: "der", certificates: [], keys: [], crls: [] };
  if (looksLikePem(data)) {
    out.format = "pem";
    const blocks = decodePem(Buffer.from(data).toString("latin1"), source);
    if (blocks.length === 0) throw new CertError("ERR_CERT_PARSE", `${source}: no PEM block found`, { file: source });
    for (const b of blocks) {
      switch (b.label) {
        case "CERTIFICATE":
        case "X509 CERTIFICATE":
          out.certificates.push(checkCert(b.der, source, out.certificates.length));
          break;
        case "PKCS7":
        case "CMS": {
          const p = (await pkcs7()).parsePkcs7(b.der, source);
          out.format = "pkcs7";
          p.certificates.forEach((c) => out.certificates.push(checkCert(c, source, out.certificates.length)));
          p.crls.forEach((c) => out.crls.push(checkCrl(c, source)));
          break;
        }
        case "X509 CRL":
          out.crls.push(checkCrl(b.der, source));
          break;
        case "CERTIFICATE REQUEST":
        case "NEW CERTIFICATE REQUEST":
          throw new CertError("ERR_CERT_PARSE", `${source} is a certificate request (CSR), not a certificate: submit it to the CA and import what the CA returns`, { file: source });
        case "PRIVATE KEY":
        case "RSA PRIVATE KEY":
        case "EC PRIVATE KEY":
        case "ENCRYPTED PRIVATE KEY":
          throw new CertError("ERR_CERT_UNSUPPORTED", `${source} holds a bare private key: import a key only inside a password-protected PKCS#12 (.pfx)`, { file: source });
        default:
          throw new CertError("ERR_CERT_PARSE", `${source}: unexpected PEM block "${b.label}"`, { file: source });
      }
    }
    return out;
  }
  if (data[0] !== 0x30) {
    throw new CertError("ERR_CERT_PARSE", `${source} is not a certificate file (expected PEM, DER, PKCS#7 or PKCS#12)`, { file: source });
  }
  // DER: a certificate, a PKCS#7 bundle, a PKCS#12 or a CRL
  try {
    parseCertificate(data);
    out.certificates.push(Uint8Array.from(data));
    return out;
  } catch (e) {
    if (!(e instanceof CertParseError)) throw e;
  }
  const { isPkcs12, parsePkcs12 } = await pkcs12();
  if (isPkcs12(data)) {
    out.format = "pkcs12";
    let pw = typeof opts.password === "string" ? opts.password : undefined;
    let p;
    try {
      // Files exported "without a password" use the empty one.
      p = await parsePkcs12(data, pw ?? "", source);
    } catch (e) {
      if (!(e instanceof CertError) || e.code !== "ERR_CERT_PASSWORD" || pw !== undefined) throw e;
      if (typeof opts.password !== "function") {
        throw new CertError("ERR_CERT_PASSWORD", `${source} is a password-protected PKCS#12: give --password-file FILE (or run on a terminal to be asked)`, { file: source });
      }
      pw = await opts.password();
      if (pw === undefined) throw new CertError("ERR_CERT_PASSWORD", `${source}: no password given`, { file: source });
      p = await parsePkcs12(data, pw, source);
    }
    p.certificates.forEach((c) => out.certificates.push(checkCert(c, source, out.certificates.length)));
    out.keys = p.keys;
    return out;
  }
  const { isPkcs7, parsePkcs7 } = await pkcs7();
  if (isPkcs7(data)) {
    out.format = "pkcs7";
    const p = parsePkcs7(data, source);
    p.certificates.forEach((c) => out.certificates.push(checkCert(c, source, out.certificates.length)));
    p.crls.forEach((c) => out.crls.push(checkCrl(c, source)));
    return out;
  }
  try {
    parseCrl(data);
    out.format = "crl";
    out.crls.push(Uint8Array.from(data));
    return out;
  } catch (e) {
    if (!(e instanceof CertParseError)) throw e;
  }
  // Name the most likely intent: a DER certificate that does not parse.
  try {
    parseCertificate(data);
  } catch (e) {
    throw new CertError("ERR_CERT_PARSE", `${source} is not a readable certificate, PKCS#7, PKCS#12 or CRL (${(e as Error).message})`, { file: source, cause: e });
  }
  throw new CertError("ERR_CERT_PARSE", `${source}: unrecognised content`, { file: source });
}
