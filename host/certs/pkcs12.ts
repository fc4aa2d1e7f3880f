// PKCS#12 (.pfx/.p12, RFC 7292): import of keys and certificates, and the encrypted backup export.
//
// Reading: pkijs parses the (often BER) structure, verifies the password MAC and decrypts PBES2
// (PBKDF2 + AES-CBC: OpenSSL 3 and Windows "AES256-SHA256" exports). Legacy files encrypt with the
// PKCS#12 PBE schemes (pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd40BitRC2-CBC: Windows
// "TripleDES-SHA1", OpenSSL 1.x and `openssl pkcs12 -legacy`), which neither WebCrypto nor Node 20's
// OpenSSL (RC2 lives in its legacy provider) offers: for those two ciphers only we call node-forge's
// PKCS#12 PBE implementation, then continue with pkijs.
// Writing: pkijs, PBES2 with PBKDF2-HMAC-SHA256 + AES-256-CBC and an HMAC-SHA256 MAC (what OpenSSL 3
// writes by default; Windows 10 1709+/Server 2019+ import it).
import * as asn1js from "asn1js";
import type forgeNs from "node-forge";
import * as pkijs from "pkijs";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { CertError } from "./errors.js";
import { pkiEngine } from "./pki-engine.js";

const OID_DATA = "1.2.840.113549.1.7.1";
const OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6";
const OID_PBES2 = "1.2.840.113549.1.5.13";
const OID_PKCS12_PBE_PREFIX = "1.2.840.113549.1.12.1.";
const BAG_KEY = "1.2.840.113549.1.12.10.1.1";
const BAG_SHROUDED_KEY = "1.2.840.113549.1.12.10.1.2";
const BAG_CERT = "1.2.840.113549.1.12.10.1.3";
const BAG_SAFE_CONTENTS = "1.2.840.113549.1.12.10.1.6";
const OID_X509_CERT = "1.2.840.113549.1.9.22.1";
const OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20";
const OID_LOCAL_KEY_ID = "1.2.840.113549.1.9.21";

const MAC_HASHES: Record<string, { name: "sha1" | "sha256" | "sha384" | "sha512"; u: number; v: number }> = {
  "1.3.14.3.2.26": { name: "sha1", u: 20, v: 64 },
  "2.16.840.1.101.3.4.2.1": { name: "sha256", u: 32, v: 64 },
  "2.16.840.1.101.3.4.2.2": { name: "sha384", u: 48, v: 128 },
  "2.16.840.1.101.3.4.2.3": { name: "sha512", u: 64, v: 128 },
};
const OID_SHA256 = "2.16.840.1.101.3.4.2.1";

/**
 * The PKCS#12 key derivation (RFC 7292 Appendix B.2) with Node's hashes. id 3 = MAC key. The
 * password is the BMPString (UTF-16BE) of the text plus two zero bytes. pkijs has one too, over a
 * pure-JavaScript SHA: ours is about ten times faster, which matters at 100 000 iterations on a
 * gateway's CPU.
 */
export function pkcs12Kdf(hashOid: string, password: string, salt: Uint8Array, id: number, iterations: number, n: number): Buffer {
  const h = MAC_HASHES[hashOid];
  if (!h) throw new CertError("ERR_CERT_UNSUPPORTED", `PKCS#12 MAC hash ${hashOid} is not supported`);
  const { name, u, v } = h;
  const pw = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) pw.writeUInt16BE(password.charCodeAt(i), 2 * i);
  const fill = (src: Uint8Array, len: number) => {
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const S = salt.length ? fill(salt, v * Math.ceil(salt.length / v)) : Buffer.alloc(0);
  const P = fill(pw, v * Math.ceil(pw.length / v));
  const I = Buffer.concat([S, P]);
  pw.fill(0);
  const out: Buffer[] = [];
  for (let got = 0; ; got += u) {
    let A = createHash(name).update(D).update(I).digest();
    for (let j = 1; j < iterations; j++) A = createHash(name).update(A).digest();
    out.push(A);
    if (got + u >= n) break;
    const B = fill(A, v);
    for (let j = 0; j < I.length; j += v) {
      let c = 1; // I_j = (I_j + B + 1) mod 2^(8v)
      for (let k = v - 1; k >= 0; k--) {
        c += I[j + k]! + B[k]!;
        I[j + k] = c & 0xff;
        c >>>= 8;
      }
    }
  }
  I.fill(0);
  return Buffer.concat(out).subarray(0, n);
}

function pkcs12Mac(hashOid: string, password: string, salt: Uint8Array, iterations: number, data: Uint8Array): Buffer {
  const h = MAC_HASHES[hashOid]!;
  const key = pkcs12Kdf(hashOid, password, salt, 3, iterations, h.u);
  try {
    return createHmac(h.name, key).update(data).digest();
  } finally {
    key.fill(0);
  }
}

/** PBKDF2 iterations of our exports (OWASP 2023 suggests 600k for SHA-256; PKCS#12 readers on
 * small gateways and Windows import cope with this in well under a second). */
export const EXPORT_ITERATIONS = 100_000;

export interface Pkcs12Contents {
  /** PKCS#8 DER private keys. The caller wipes them (fill(0)) once loaded. */
  keys: Uint8Array[];
  certificates: Uint8Array[];
}

/** Cheap check: PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }. */
export function isPkcs12(der: Uint8Array): boolean {
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset === -1 || !(asn.result instanceof asn1js.Sequence)) return false;
    const v = asn.result.valueBlock.value[0];
    return v instanceof asn1js.Integer && v.valueBlock.valueDec === 3;
  } catch {
    return false;
  }
}

function passwordError(source: string, cause?: unknown): CertError {
  return new CertError("ERR_CERT_PASSWORD", `${source}: wrong password for this PKCS#12 file`, { file: source, cause });
}

function u8(b: ArrayBuffer | ArrayBufferView): Uint8Array {
  return b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Decrypts with a PKCS#12 PBE scheme (3DES / RC2-40) through node-forge. */
async function legacyDecrypt(alg: pkijs.AlgorithmIdentifier, ciphertext: Uint8Array, password: string, source: string): Promise<Uint8Array> {
  const forge: typeof forgeNs = (await import("node-forge")).default; // only legacy files need it
  const paramsDer = Buffer.from(alg.algorithmParams.toBER(false)).toString("binary");
  let cipher;
  try {
    cipher = (forge.pki as unknown as { pbe: { getCipher(oid: string, params: forgeNs.asn1.Asn1, password: string): forgeNs.cipher.BlockCipher } }).pbe.getCipher(alg.algorithmId, forge.asn1.fromDer(paramsDer), password);
  } catch (e) {
    throw new CertError("ERR_CERT_UNSUPPORTED", `${source}: PKCS#12 encryption ${alg.algorithmId} is not supported`, { file: source, cause: e });
  }
  cipher.update(forge.util.createBuffer(Buffer.from(ciphertext).toString("binary")));
  if (!cipher.finish()) throw passwordError(source);
  return new Uint8Array(Buffer.from(cipher.output.getBytes(), "binary"));
}

async function decrypt(alg: pkijs.AlgorithmIdentifier, ciphertext: Uint8Array, password: string, source: string): Promise<Uint8Array> {
  if (alg.algorithmId.startsWith(OID_PKCS12_PBE_PREFIX)) return legacyDecrypt(alg, ciphertext, password, source);
  if (alg.algorithmId !== OID_PBES2) throw new CertError("ERR_CERT_UNSUPPORTED", `${source}: PKCS#12 encryption ${alg.algorithmId} is not supported`, { file: source });
  try {
    const eci = new pkijs.EncryptedContentInfo({
      contentType: OID_DATA,
      contentEncryptionAlgorithm: alg,
      encryptedContent: new asn1js.OctetString({ valueHex: ciphertext }),
    });
    const out = await pkiEngine().decryptEncryptedContentInfo({ password: new TextEncoder().encode(password).buffer as ArrayBuffer, encryptedContentInfo: eci });
    return u8(out);
  } catch (e) {
    // With a MAC the password was already checked; without one, a padding failure means a wrong password.
    throw passwordError(source, e);
  }
}

async function collectBags(bags: pkijs.SafeBag[], password: string, source: string, out: Pkcs12Contents, depth = 0): Promise<void> {
  if (depth > 4) throw new CertError("ERR_CERT_PARSE", `${source}: PKCS#12 bags nested too deeply`, { file: source });
  for (const bag of bags) {
    if (bag.bagId === BAG_CERT) {
      const cb = bag.bagValue as pkijs.CertBag;
      if (cb.certId !== OID_X509_CERT) continue; // SDSI certificates: ignored
      out.certificates.push(Uint8Array.from(u8((cb.certValue as asn1js.OctetString).getValue()))); // getValue(): also a constructed (BER) OCTET STRING
    } else if (bag.bagId === BAG_KEY) {
      out.keys.push(new Uint8Array((bag.bagValue as unknown as pkijs.PrivateKeyInfo).toSchema().toBER(false)));
    } else if (bag.bagId === BAG_SHROUDED_KEY) {
      const kb = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
      const plain = await decrypt(kb.encryptionAlgorithm, Uint8Array.from(u8(kb.encryptedData.getValue())), password, source);
      out.keys.push(plain);
    } else if (bag.bagId === BAG_SAFE_CONTENTS) {
      await collectBags((bag.bagValue as pkijs.SafeContents).safeBags, password, source, out, depth + 1);
    }
    // CRL and secret bags: not used
  }
}

/** Reads a PKCS#12 file. Throws ERR_CERT_PASSWORD for a wrong password, ERR_CERT_PARSE for garbage. */
export async function parsePkcs12(der: Uint8Array, password: string, source = "input"): Promise<Pkcs12Contents> {
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(Uint8Array.from(der).buffer);
  } catch (e) {
    throw new CertError("ERR_CERT_PARSE", `${source}: not a readable PKCS#12 file: ${(e as Error).message}`, { file: source, cause: e });
  }
  const pw = new TextEncoder().encode(password).buffer as ArrayBuffer;
  if (pfx.authSafe.contentType !== OID_DATA) {
    throw new CertError("ERR_CERT_UNSUPPORTED", `${source}: public-key-protected PKCS#12 files are not supported`, { file: source });
  }
  if (pfx.macData) {
    // Check the password MAC ourselves so a wrong password is told apart from a damaged file
    // without reading pkijs's error messages.
    let ok: boolean;
    try {
      const md = pfx.macData;
      const expected = u8(md.mac.digest.valueBlock.valueHexView);
      const got = pkcs12Mac(md.mac.digestAlgorithm.algorithmId, password, u8(md.macSalt.valueBlock.valueHexView), md.iterations || 1, u8((pfx.authSafe.content as asn1js.OctetString).getValue()));
      ok = got.length === expected.length && timingSafeEqual(got, expected);
    } catch (e) {
      if (e instanceof CertError) throw e;
      throw new CertError("ERR_CERT_PARSE", `${source}: unreadable PKCS#12 MAC: ${(e as Error).message}`, { file: source, cause: e });
    }
    if (!ok) throw passwordError(source);
  }
  try {
    await pfx.parseInternalValues({ password: pw, checkIntegrity: false }, pkiEngine());
  } catch (e) {
    throw new CertError("ERR_CERT_PARSE", `${source}: not a readable PKCS#12 file: ${(e as Error).message}`, { file: source, cause: e });
  }
  const as = pfx.parsedValue?.authenticatedSafe;
  if (!as) throw new CertError("ERR_CERT_UNSUPPORTED", `${source}: public-key-protected PKCS#12 files are not supported`, { file: source });
  const out: Pkcs12Contents = { keys: [], certificates: [] };
  try {
    for (const ci of as.safeContents) {
      let plain: Uint8Array;
      if (ci.contentType === OID_DATA) {
        plain = u8((ci.content as asn1js.OctetString).getValue());
      } else if (ci.contentType === OID_ENCRYPTED_DATA) {
        const ed = new pkijs.EncryptedData({ schema: ci.content });
        const eci = ed.encryptedContentInfo;
        plain = await decrypt(eci.contentEncryptionAlgorithm, u8(eci.getEncryptedContent()), password, source);
      } else {
        throw new CertError("ERR_CERT_UNSUPPORTED", `${source}: PKCS#12 content ${ci.contentType} (public-key privacy) is not supported`, { file: source });
      }
      let sc: pkijs.SafeContents;
      try {
        sc = pkijs.SafeContents.fromBER(Uint8Array.from(plain).buffer);
      } catch (e) {
        throw passwordError(source, e); // decryption "succeeded" with a wrong password and no MAC
      }
      await collectBags(sc.safeBags, password, source, out);
    }
  } catch (e) {
    for (const k of out.keys) k.fill(0);
    if (e instanceof CertError) throw e;
    throw new CertError("ERR_CERT_PARSE", `${source}: damaged PKCS#12 file: ${(e as Error).message}`, { file: source, cause: e });
  }
  return out;
}

/**
 * Builds a password-protected PKCS#12 with one private key (PKCS#8 DER) and its certificate chain
 * (leaf first). The key bag and the certificate bag are each PBES2-encrypted; the whole is MACed.
 */
export async function buildPkcs12(pkcs8: Uint8Array, chain: Uint8Array[], password: string, friendlyName: string, iterations = EXPORT_ITERATIONS): Promise<Uint8Array> {
  const engine = pkiEngine();
  const pw = new TextEncoder().encode(password).buffer as ArrayBuffer;
  const localKeyId = randomBytes(20);
  const attrs = () => [
    new pkijs.Attribute({ type: OID_LOCAL_KEY_ID, values: [new asn1js.OctetString({ valueHex: localKeyId })] }),
    new pkijs.Attribute({ type: OID_FRIENDLY_NAME, values: [new asn1js.BmpString({ value: friendlyName })] }),
  ];
  const enc = { password: pw, contentEncryptionAlgorithm: { name: "AES-CBC", length: 256 } as pkijs.ContentEncryptionAlgorithm, hmacHashAlgorithm: "SHA-256", iterationCount: iterations };
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkijs.PrivateKeyInfo.fromBER(Uint8Array.from(pkcs8).buffer) });
  await keyBag.makeInternalValues(enc, engine);
  const certBags = chain.map(
    (der, i) =>
      new pkijs.SafeBag({
        bagId: BAG_CERT,
        bagValue: new pkijs.CertBag({ parsedValue: pkijs.Certificate.fromBER(Uint8Array.from(der).buffer) }),
        ...(i === 0 ? { bagAttributes: attrs() } : {}),
      }),
  );
  const pfx = new pkijs.PFX({
    parsedValue: {
      integrityMode: 0,
      authenticatedSafe: new pkijs.AuthenticatedSafe({
        parsedValue: {
          safeContents: [
            { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: [new pkijs.SafeBag({ bagId: BAG_SHROUDED_KEY, bagValue: keyBag, bagAttributes: attrs() })] }) },
            { privacyMode: 1, value: new pkijs.SafeContents({ safeBags: certBags }) },
          ],
        },
      }),
    },
  });
  await pfx.parsedValue!.authenticatedSafe!.makeInternalValues({ safeContents: [{}, { ...enc }] }, engine);
  // The MAC (HMAC-SHA256, key from the PKCS#12 KDF with the same iteration count as the encryption:
  // the MAC is a password oracle too) is computed here rather than by pkijs (see pkcs12Kdf).
  const data = new Uint8Array(pfx.parsedValue!.authenticatedSafe!.toSchema().toBER(false));
  const salt = randomBytes(32);
  pfx.authSafe = new pkijs.ContentInfo({ contentType: OID_DATA, content: new asn1js.OctetString({ valueHex: data }) });
  pfx.macData = new pkijs.MacData({
    mac: new pkijs.DigestInfo({ digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256, algorithmParams: new asn1js.Null() }), digest: new asn1js.OctetString({ valueHex: pkcs12Mac(OID_SHA256, password, salt, iterations, data) }) }),
    macSalt: new asn1js.OctetString({ valueHex: salt }),
    iterations,
  });
  return new Uint8Array(pfx.toSchema().toBER(false));
}
