// PKCS#7 / CMS SignedData "certs-only" bundles (.p7b), as AD CS returns a certificate with its chain
// (RFC 2315 degenerate SignedData, RFC 5652). Read with pkijs, which handles the BER (indefinite
// lengths) Windows tools sometimes produce; we take the certificates and CRLs out, nothing else.
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { CertError } from "./errors.js";

const OID_SIGNED_DATA = "1.2.840.113549.1.7.2";

export interface Pkcs7Contents {
  certificates: Uint8Array[];
  crls: Uint8Array[];
}

/** True when `der` looks like a ContentInfo carrying SignedData (cheap pre-check, no throw). */
export function isPkcs7(der: Uint8Array): boolean {
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset === -1) return false;
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    return ci.contentType === OID_SIGNED_DATA;
  } catch {
    return false;
  }
}

export function parsePkcs7(der: Uint8Array, source = "input"): Pkcs7Contents {
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset === -1) throw new Error(asn.result.error || "bad BER");
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== OID_SIGNED_DATA) throw new Error(`content type ${ci.contentType} is not SignedData`);
    const sd = new pkijs.SignedData({ schema: ci.content });
    const certificates: Uint8Array[] = [];
    for (const c of sd.certificates ?? []) {
      if (c instanceof pkijs.Certificate) certificates.push(new Uint8Array(c.toSchema().toBER(false)));
    }
    const crls: Uint8Array[] = [];
    for (const c of sd.crls ?? []) {
      if (c instanceof pkijs.CertificateRevocationList) crls.push(new Uint8Array(c.toSchema().toBER(false)));
    }
    return { certificates, crls };
  } catch (e) {
    throw new CertError("ERR_CERT_PARSE", `${source}: not a readable PKCS#7 certificate bundle: ${(e as Error).message}`, { file: source, cause: e });
  }
}
