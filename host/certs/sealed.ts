// Sealing of store blobs under the device key (docs/certificates.md "Encryption at rest").
//
//   header (16) = "GWSK" | format 1 | kind | 00 00 | key id (8)
//   kind 1, authenticated:  header | payload | HMAC-SHA256(macKey, header | len16(name) | name | payload)
//   kind 2, encrypted:      header | nonce (12) | AES-256-GCM ciphertext | tag (16),
//                           AAD = header | len16(name) | name
//
// The blob's name is bound in (AAD / MAC input), so swapping two files, or renaming one, is detected.
// Keys: HKDF-SHA256(device key, info "gwsdk store v1 ...") for the AES key, the HMAC key and a key id
// (not secret) that tells "sealed under another device key" apart from "damaged".
// This runs in Node's crypto (OpenSSL), not in the WebAssembly core: it is management-plane code that
// runs a handful of times per command, never per packet, and the core has no AES-GCM key wrapping or
// file I/O to offer it (docs/certificates.md explains).
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { CertError } from "./errors.js";

const MAGIC = Buffer.from("GWSK");
const FORMAT = 1;
export const KIND_AUTH = 1;
export const KIND_ENC = 2;
const HEADER = 16;
const TAG = 16;
const NONCE = 12;
const MAC = 32;

export interface SealKeys {
  enc: Buffer;
  mac: Buffer;
  keyId: Buffer;
}

export function deriveSealKeys(deviceKey: Uint8Array): SealKeys {
  const k = (info: string, n: number) => Buffer.from(hkdfSync("sha256", deviceKey, Buffer.alloc(0), info, n));
  return { enc: k("gwsdk store v1 aes-256-gcm", 32), mac: k("gwsdk store v1 hmac-sha256", 32), keyId: k("gwsdk store v1 key id", 8) };
}

export function wipeSealKeys(k: SealKeys): void {
  k.enc.fill(0);
  k.mac.fill(0);
}

function header(kind: number, keyId: Buffer): Buffer {
  const h = Buffer.alloc(HEADER);
  MAGIC.copy(h, 0);
  h[4] = FORMAT;
  h[5] = kind;
  keyId.copy(h, 8);
  return h;
}

function nameBytes(name: string): Buffer {
  const n = Buffer.from(name, "utf8");
  const l = Buffer.alloc(2);
  l.writeUInt16BE(n.length);
  return Buffer.concat([l, n]);
}

export function sealAuthenticated(keys: SealKeys, name: string, payload: Uint8Array): Uint8Array {
  const h = header(KIND_AUTH, keys.keyId);
  const mac = createHmac("sha256", keys.mac).update(h).update(nameBytes(name)).update(payload).digest();
  return Buffer.concat([h, payload, mac]);
}

export function sealEncrypted(keys: SealKeys, name: string, plaintext: Uint8Array): Uint8Array {
  const h = header(KIND_ENC, keys.keyId);
  const nonce = randomBytes(NONCE);
  const c = createCipheriv("aes-256-gcm", keys.enc, nonce);
  c.setAAD(Buffer.concat([h, nameBytes(name)]));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([h, nonce, ct, c.getAuthTag()]);
}

/** Where the blob is, for error messages. */
export type Describe = (name: string) => string;

function corrupt(file: string, why: string): CertError {
  return new CertError("ERR_CERT_STORE_CORRUPT", `${file} is damaged or has been tampered with (${why}); the rest of the store is unaffected`, { file });
}

function checkHeader(keys: SealKeys, blob: Uint8Array, kind: number, file: string): Buffer {
  if (blob.length < HEADER) throw corrupt(file, "truncated");
  const h = Buffer.from(blob.subarray(0, HEADER));
  if (!h.subarray(0, 4).equals(MAGIC)) throw corrupt(file, "not a gwsdk store file");
  if (h[4]! > FORMAT) throw new CertError("ERR_CERT_STORE_VERSION", `${file} was written by a newer gwsdk (format ${h[4]})`, { file });
  if (h[4] !== FORMAT || h[6] !== 0 || h[7] !== 0) throw corrupt(file, "bad header");
  if (h[5] !== kind) throw corrupt(file, `expected a ${kind === KIND_ENC ? "sealed key" : "signed"} file`);
  if (!h.subarray(8, 16).equals(keys.keyId)) {
    throw new CertError("ERR_CERT_DEVICE_KEY", `${file} was sealed under a different device key (key id ${h.subarray(8, 16).toString("hex")}, this device's is ${keys.keyId.toString("hex")})`, { file });
  }
  return h;
}

export function openAuthenticated(keys: SealKeys, name: string, blob: Uint8Array, file: string): Uint8Array {
  const h = checkHeader(keys, blob, KIND_AUTH, file);
  if (blob.length < HEADER + MAC) throw corrupt(file, "truncated");
  const payload = blob.subarray(HEADER, blob.length - MAC);
  const mac = createHmac("sha256", keys.mac).update(h).update(nameBytes(name)).update(payload).digest();
  if (!timingSafeEqual(mac, blob.subarray(blob.length - MAC))) throw corrupt(file, "integrity check failed");
  return payload;
}

/** Returns the plaintext in a Buffer the caller should wipe (fill(0)) once used. */
export function openEncrypted(keys: SealKeys, name: string, blob: Uint8Array, file: string): Buffer {
  const h = checkHeader(keys, blob, KIND_ENC, file);
  if (blob.length < HEADER + NONCE + TAG) throw corrupt(file, "truncated");
  const nonce = blob.subarray(HEADER, HEADER + NONCE);
  const ct = blob.subarray(HEADER + NONCE, blob.length - TAG);
  const d = createDecipheriv("aes-256-gcm", keys.enc, nonce);
  d.setAAD(Buffer.concat([h, nameBytes(name)]));
  d.setAuthTag(blob.subarray(blob.length - TAG));
  try {
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    throw corrupt(file, "authentication failed");
  }
}
