// Gateway key pairs and the signing provider the TLS handshake uses. The private key stays inside
// the provider (a Node KeyObject on the sim board; a secure-element handle on other boards): TLS
// asks it to sign, never to hand the key over.
import { constants, createPrivateKey, createPublicKey, generateKeyPair, sign as nodeSign, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { CertError } from "./errors.js";

export type KeyType = "rsa2048" | "rsa3072" | "rsa4096" | "p256" | "p384";
export const KEY_TYPES: readonly KeyType[] = ["rsa2048", "rsa3072", "rsa4096", "p256", "p384"];
export const DEFAULT_KEY_TYPE: KeyType = "rsa2048";

/** TLS SignatureScheme names (RFC 8446 §4.2.3) with their code points. */
export const SIGNATURE_SCHEMES = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
} as const;
export type SignatureScheme = keyof typeof SIGNATURE_SCHEMES;

export type SignerAlgorithm = "rsa" | "ecdsa-p256" | "ecdsa-p384";

export interface SigningProvider {
  readonly algorithm: SignerAlgorithm;
  /** RSA modulus bits or curve size. */
  readonly keyBits: number;
  /** SubjectPublicKeyInfo, DER. */
  readonly publicKey: Uint8Array;
  /** Schemes this key can sign with, preferred first (TLS 1.3 rules: ECDSA hash matches the curve). */
  readonly schemes: readonly SignatureScheme[];
  /**
   * Signs `data` (the provider hashes it) with `scheme`. ECDSA signatures are DER (as TLS sends
   * them); RSA-PSS uses salt length = hash length (RFC 8446 §4.2.3).
   * Rejects with ERR_CERT_UNSUPPORTED when the scheme does not fit the key.
   */
  sign(data: Uint8Array, scheme: SignatureScheme): Promise<Uint8Array>;
}

const genKeyPair = promisify(generateKeyPair);

export async function generateKey(type: KeyType): Promise<KeyObject> {
  switch (type) {
    case "rsa2048":
    case "rsa3072":
    case "rsa4096": {
      const { privateKey } = await genKeyPair("rsa", { modulusLength: Number(type.slice(3)), publicExponent: 0x10001 });
      return privateKey;
    }
    case "p256":
    case "p384": {
      const { privateKey } = await genKeyPair("ec", { namedCurve: type === "p256" ? "prime256v1" : "secp384r1" });
      return privateKey;
    }
    default:
      throw new CertError("ERR_CERT_ARG", `unknown key type "${String(type)}" (one of ${KEY_TYPES.join(", ")})`);
  }
}

/** The KeyType of a private key, or undefined for keys we would not generate (still usable if imported). */
export function keyTypeOf(key: KeyObject): KeyType | undefined {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") {
    const t = `rsa${d.modulusLength}`;
    return (KEY_TYPES as readonly string[]).includes(t) ? (t as KeyType) : undefined;
  }
  if (key.asymmetricKeyType === "ec") return d.namedCurve === "prime256v1" ? "p256" : d.namedCurve === "secp384r1" ? "p384" : undefined;
  return undefined;
}

/** Loads a PKCS#8 DER private key; throws ERR_CERT_UNSUPPORTED for key kinds we cannot use. */
export function privateKeyFromPkcs8(der: Uint8Array): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
  } catch (e) {
    throw new CertError("ERR_CERT_PARSE", `cannot read the private key: ${(e as Error).message}`, { cause: e });
  }
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa" && (d.modulusLength ?? 0) >= 2048) return key;
  if (key.asymmetricKeyType === "ec" && (d.namedCurve === "prime256v1" || d.namedCurve === "secp384r1")) return key;
  throw new CertError("ERR_CERT_UNSUPPORTED", `private key ${key.asymmetricKeyType} ${d.modulusLength ?? d.namedCurve ?? ""} is not supported (RSA >= 2048, ECDSA P-256/P-384)`);
}

export function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ type: "spki", format: "der" }));
}

const HASH: Record<SignatureScheme, string> = {
  rsa_pkcs1_sha256: "sha256",
  rsa_pkcs1_sha384: "sha384",
  rsa_pkcs1_sha512: "sha512",
  ecdsa_secp256r1_sha256: "sha256",
  ecdsa_secp384r1_sha384: "sha384",
  ecdsa_secp521r1_sha512: "sha512",
  rsa_pss_rsae_sha256: "sha256",
  rsa_pss_rsae_sha384: "sha384",
  rsa_pss_rsae_sha512: "sha512",
};
const PSS_SALT: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** A SigningProvider over a Node KeyObject (sim board). The KeyObject is held in a private field. */
export class KeyObjectSigner implements SigningProvider {
  readonly #key: KeyObject;
  readonly algorithm: SignerAlgorithm;
  readonly keyBits: number;
  readonly publicKey: Uint8Array;
  readonly schemes: readonly SignatureScheme[];

  constructor(key: KeyObject) {
    if (key.type !== "private") throw new CertError("ERR_CERT_ARG", "a signing provider needs a private key");
    this.#key = key;
    const d = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === "rsa") {
      this.algorithm = "rsa";
      this.keyBits = d.modulusLength ?? 0;
      this.schemes = ["rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512", "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512"];
    } else if (key.asymmetricKeyType === "ec" && d.namedCurve === "prime256v1") {
      this.algorithm = "ecdsa-p256";
      this.keyBits = 256;
      this.schemes = ["ecdsa_secp256r1_sha256"];
    } else if (key.asymmetricKeyType === "ec" && d.namedCurve === "secp384r1") {
      this.algorithm = "ecdsa-p384";
      this.keyBits = 384;
      this.schemes = ["ecdsa_secp384r1_sha384"];
    } else {
      throw new CertError("ERR_CERT_UNSUPPORTED", `unsupported signing key ${key.asymmetricKeyType} ${d.namedCurve ?? ""}`);
    }
    this.publicKey = spkiOf(key);
  }

  async sign(data: Uint8Array, scheme: SignatureScheme): Promise<Uint8Array> {
    const hash = HASH[scheme];
    if (!hash) throw new CertError("ERR_CERT_UNSUPPORTED", `unknown signature scheme "${String(scheme)}"`);
    const isEc = scheme.startsWith("ecdsa_");
    if (isEc !== (this.algorithm !== "rsa")) {
      throw new CertError("ERR_CERT_UNSUPPORTED", `scheme ${scheme} does not fit a ${this.algorithm} key`);
    }
    // TLS 1.2 pairs any hash with any curve; TLS 1.3 requires the matching one (the caller's choice
    // from `schemes`). We sign whichever ECDSA hash is asked.
    if (isEc) return new Uint8Array(nodeSign(hash, data, { key: this.#key, dsaEncoding: "der" }));
    const pss = scheme.startsWith("rsa_pss_");
    return new Uint8Array(
      nodeSign(hash, data, pss ? { key: this.#key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT[hash]! } : { key: this.#key, padding: constants.RSA_PKCS1_PADDING }),
    );
  }
}
