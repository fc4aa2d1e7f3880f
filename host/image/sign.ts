// Image signatures: ECDSA P-256 with SHA-256, or RSA-PSS (>= 2048 bits) with SHA-256 and a 32-byte salt.
import crypto, { type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { ImageError, type ImageManifest } from "./format.js";

export type SignatureAlgorithm = ImageManifest["signature"]["algorithm"];

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new ImageError("ERR_IMAGE_KEY", `cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
}

export function loadSigningKey(path: string): KeyObject {
  try {
    return crypto.createPrivateKey(readPem(path, "signing key"));
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError("ERR_IMAGE_KEY", `${path} is not a PEM private key: ${(e as Error).message}`);
  }
}

/** A public key from a PEM public key, or the key of a PEM certificate. */
export function loadVerifyKey(path: string): KeyObject {
  const pem = readPem(path, "public key");
  try {
    if (pem.includes("BEGIN CERTIFICATE")) return new crypto.X509Certificate(pem).publicKey;
    return crypto.createPublicKey(pem);
  } catch (e) {
    throw new ImageError("ERR_IMAGE_KEY", `${path} is not a PEM public key or certificate: ${(e as Error).message}`);
  }
}

export function algorithmFor(key: KeyObject): SignatureAlgorithm {
  const t = key.asymmetricKeyType;
  const d = key.asymmetricKeyDetails ?? {};
  if (t === "ec" && d.namedCurve === "prime256v1") return "ecdsa-p256-sha256";
  if (t === "rsa" && (d.modulusLength ?? 0) >= 2048) return "rsa-pss-sha256";
  throw new ImageError("ERR_IMAGE_KEY", `image signing keys must be ECDSA P-256 or RSA >= 2048 bits (got ${t}${d.namedCurve ? ` ${d.namedCurve}` : ""}${d.modulusLength ? ` ${d.modulusLength} bits` : ""})`);
}

/** SHA-256 of the public key's SubjectPublicKeyInfo, hex: names the key in the manifest. */
export function keyId(key: KeyObject): string {
  const pub = key.type === "private" ? crypto.createPublicKey(key) : key;
  return crypto.createHash("sha256").update(pub.export({ type: "spki", format: "der" })).digest("hex");
}

export function signManifest(manifestBytes: Uint8Array, key: KeyObject): Uint8Array {
  const alg = algorithmFor(key);
  const opts = alg === "rsa-pss-sha256" ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : { key };
  return new Uint8Array(crypto.sign("sha256", manifestBytes, opts));
}

export function verifyManifestSignature(manifestBytes: Uint8Array, signature: Uint8Array, alg: SignatureAlgorithm, key: KeyObject): boolean {
  if (algorithmFor(key) !== alg) return false;
  const opts = alg === "rsa-pss-sha256" ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : { key };
  try {
    return crypto.verify("sha256", manifestBytes, opts, signature);
  } catch {
    return false;
  }
}
