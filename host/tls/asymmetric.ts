// Asymmetric operations of the handshake — ECDHE key shares and signature verification — behind a
// small provider interface, so a board can supply a hardware implementation. The default provider
// uses Node's crypto (OpenSSL). Private identity keys never come here: signing goes through the
// certificate store's SigningKey (host/certs), whose key never leaves it.
import crypto, { type KeyObject } from "node:crypto";
import { NamedGroup, SignatureScheme } from "./handshake/constants.js";

/** One ephemeral key share for a named group. */
export interface KeyShare {
  readonly group: number;
  /** The encoded public value sent on the wire (uncompressed point for P-256/P-384, 32 bytes for x25519). */
  readonly publicKey: Uint8Array;
  /** Computes the shared secret with the peer's public value; throws InvalidKeyShare on a bad point. */
  deriveSecret(peerPublic: Uint8Array): Uint8Array;
  /** Forgets the private key. */
  destroy(): void;
}

export class InvalidKeyShare extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidKeyShare";
  }
}

export interface AsymmetricProvider {
  /** Groups this provider can do. */
  readonly groups: readonly number[];
  generateKeyShare(group: number): KeyShare;
  /** Verifies a signature made with `scheme` over `data` by the key in `spki` (a certificate's public key). */
  verify(scheme: number, publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean;
}

/** How a signature scheme hashes and pads. */
export interface SchemeInfo {
  readonly hash: "sha256" | "sha384" | "sha512" | "sha1";
  readonly kind: "rsa-pkcs1" | "rsa-pss" | "ecdsa";
  /** For ECDSA schemes bound to a curve in TLS 1.3. */
  readonly curve?: "prime256v1" | "secp384r1" | "secp521r1";
}

export const SCHEMES: ReadonlyMap<number, SchemeInfo> = new Map<number, SchemeInfo>([
  [SignatureScheme.rsa_pkcs1_sha1, { hash: "sha1", kind: "rsa-pkcs1" }],
  [SignatureScheme.rsa_pkcs1_sha256, { hash: "sha256", kind: "rsa-pkcs1" }],
  [SignatureScheme.rsa_pkcs1_sha384, { hash: "sha384", kind: "rsa-pkcs1" }],
  [SignatureScheme.rsa_pkcs1_sha512, { hash: "sha512", kind: "rsa-pkcs1" }],
  [SignatureScheme.rsa_pss_rsae_sha256, { hash: "sha256", kind: "rsa-pss" }],
  [SignatureScheme.rsa_pss_rsae_sha384, { hash: "sha384", kind: "rsa-pss" }],
  [SignatureScheme.rsa_pss_rsae_sha512, { hash: "sha512", kind: "rsa-pss" }],
  [SignatureScheme.ecdsa_secp256r1_sha256, { hash: "sha256", kind: "ecdsa", curve: "prime256v1" }],
  [SignatureScheme.ecdsa_secp384r1_sha384, { hash: "sha384", kind: "ecdsa", curve: "secp384r1" }],
  [SignatureScheme.ecdsa_secp521r1_sha512, { hash: "sha512", kind: "ecdsa", curve: "secp521r1" }],
  [SignatureScheme.ecdsa_sha1, { hash: "sha1", kind: "ecdsa" }],
]);

const PSS_SALT = { sha256: 32, sha384: 48, sha512: 64, sha1: 20 } as const;

/** Node crypto sign/verify options for a scheme. */
export function schemeSignOptions(scheme: number): { algorithm: string; padding?: number; saltLength?: number } {
  const info = SCHEMES.get(scheme);
  if (!info) throw new RangeError(`unknown signature scheme 0x${scheme.toString(16)}`);
  if (info.kind === "rsa-pss") return { algorithm: info.hash, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT[info.hash] };
  if (info.kind === "rsa-pkcs1") return { algorithm: info.hash, padding: crypto.constants.RSA_PKCS1_PADDING };
  return { algorithm: info.hash };
}

const CURVE_OF_GROUP: Record<number, string> = {
  [NamedGroup.secp256r1]: "prime256v1",
  [NamedGroup.secp384r1]: "secp384r1",
};
const POINT_LEN: Record<number, number> = { [NamedGroup.secp256r1]: 65, [NamedGroup.secp384r1]: 97 };

class EcdhShare implements KeyShare {
  readonly publicKey: Uint8Array;
  private ecdh: crypto.ECDH | undefined;
  constructor(readonly group: number) {
    this.ecdh = crypto.createECDH(CURVE_OF_GROUP[group]!);
    this.publicKey = new Uint8Array(this.ecdh.generateKeys());
  }
  deriveSecret(peer: Uint8Array): Uint8Array {
    if (!this.ecdh) throw new InvalidKeyShare("key share already used");
    // RFC 8446 §4.2.8.2: uncompressed points only, validated (OpenSSL checks the point is on the curve).
    if (peer.length !== POINT_LEN[this.group] || peer[0] !== 4) throw new InvalidKeyShare("the peer's key share is not an uncompressed point of the right size");
    try {
      return new Uint8Array(this.ecdh.computeSecret(peer));
    } catch (e) {
      throw new InvalidKeyShare(`the peer's key share is not a valid point: ${(e as Error).message}`);
    }
  }
  destroy(): void {
    this.ecdh = undefined;
  }
}

// X25519 keys are built from DER (RFC 8410) rather than generated and exported as JWK: Node 20 can
// deadlock when a garbage collection during KeyObject.export({ format: "jwk" }) of an OKP key frees a
// finished key-generation job (seen in CI: the main thread stuck in ~KeyGenJob under ExportJWKEdKey).
// No key-generation job and no export: the private key is 32 random bytes, the public key X25519(k, 9).
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const X25519_SPKI_PREFIX = Buffer.from("302a300506032b656e032100", "hex");
let x25519BasePoint: KeyObject | undefined;
function x25519Public(u: Uint8Array): KeyObject {
  return crypto.createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, u]), format: "der", type: "spki" });
}

class X25519Share implements KeyShare {
  readonly group = NamedGroup.x25519;
  readonly publicKey: Uint8Array;
  private priv: KeyObject | undefined;
  constructor() {
    const der = Buffer.concat([X25519_PKCS8_PREFIX, crypto.randomBytes(32)]);
    try {
      this.priv = crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    } finally {
      der.fill(0);
    }
    x25519BasePoint ??= x25519Public(Uint8Array.of(9, ...new Uint8Array(31)));
    this.publicKey = new Uint8Array(crypto.diffieHellman({ privateKey: this.priv, publicKey: x25519BasePoint }));
  }
  deriveSecret(peer: Uint8Array): Uint8Array {
    if (!this.priv) throw new InvalidKeyShare("key share already used");
    if (peer.length !== 32) throw new InvalidKeyShare("an x25519 key share must be 32 bytes");
    let s: Uint8Array;
    try {
      const pub = x25519Public(peer);
      s = new Uint8Array(crypto.diffieHellman({ privateKey: this.priv, publicKey: pub }));
    } catch (e) {
      // OpenSSL refuses a small-order point itself (the all-zero output check of RFC 7748 §6.1)
      throw new InvalidKeyShare(`the peer's x25519 key share is not usable: ${(e as Error).message}`);
    }
    // RFC 8446 §7.4.2: an all-zero shared secret (small-order point) must be refused.
    if (s.every((b) => b === 0)) throw new InvalidKeyShare("the x25519 shared secret is all zeros (small-order point)");
    return s;
  }
  destroy(): void {
    this.priv = undefined;
  }
}

/** The default provider: Node's crypto. */
export const nodeAsymmetricProvider: AsymmetricProvider = {
  groups: [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1],
  generateKeyShare(group: number): KeyShare {
    if (group === NamedGroup.x25519) return new X25519Share();
    if (CURVE_OF_GROUP[group]) return new EcdhShare(group);
    throw new RangeError(`unsupported group 0x${group.toString(16)}`);
  },
  verify(scheme: number, publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
    const info = SCHEMES.get(scheme);
    if (!info) return false;
    const keyType = publicKey.asymmetricKeyType;
    if (info.kind === "ecdsa") {
      if (keyType !== "ec") return false;
    } else if (keyType !== "rsa") return false; // rsa_pss_rsae_* and rsa_pkcs1_* use rsaEncryption keys
    const o = schemeSignOptions(scheme);
    try {
      return crypto.verify(o.algorithm, data, { key: publicKey, padding: o.padding, saltLength: o.saltLength }, signature);
    } catch {
      return false;
    }
  },
};
