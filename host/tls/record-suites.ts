// The cipher suites whose records the core protects, and what each means for the record layer and
// key schedule: the AEAD (AES-128-GCM or AES-256-GCM) and the hash (HKDF for TLS 1.3, the PRF for
// TLS 1.2). Numbers from the IANA TLS Cipher Suites registry (RFC 8446 §B.4, RFC 5288, RFC 5289).
// The record layer does AEAD suites only: no CBC, no NULL, no RC4, no ChaCha20 (not FIPS-approved).

export type TlsVersionName = "1.2" | "1.3";
export type TlsHashName = "sha256" | "sha384";

/** Core ids (assembly/tls/constants.ts and the hash module's ALG_*). */
export const AEAD_ID = { "aes-128-gcm": 1, "aes-256-gcm": 2 } as const;
export type TlsAeadName = keyof typeof AEAD_ID;
export const HASH_ID: Readonly<Record<TlsHashName, number>> = { sha256: 2, sha384: 3 };
export const HASH_LENGTH: Readonly<Record<TlsHashName, number>> = { sha256: 32, sha384: 48 };
/** Wire versions. */
export const VERSION_ID: Readonly<Record<TlsVersionName, number>> = { "1.2": 0x0303, "1.3": 0x0304 };

export interface TlsCipherSuite {
  readonly id: number;
  readonly name: string;
  readonly version: TlsVersionName;
  readonly aead: TlsAeadName;
  readonly keyLength: 16 | 32;
  readonly hash: TlsHashName;
}

function suite(id: number, name: string, version: TlsVersionName, aead: TlsAeadName, hash: TlsHashName): TlsCipherSuite {
  return Object.freeze({ id, name, version, aead, keyLength: aead === "aes-128-gcm" ? 16 : 32, hash });
}

export const CIPHER_SUITES: readonly TlsCipherSuite[] = Object.freeze([
  suite(0x1301, "TLS_AES_128_GCM_SHA256", "1.3", "aes-128-gcm", "sha256"),
  suite(0x1302, "TLS_AES_256_GCM_SHA384", "1.3", "aes-256-gcm", "sha384"),
  suite(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "1.2", "aes-128-gcm", "sha256"),
  suite(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "1.2", "aes-256-gcm", "sha384"),
  suite(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "1.2", "aes-128-gcm", "sha256"),
  suite(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "1.2", "aes-256-gcm", "sha384"),
  suite(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", "1.2", "aes-128-gcm", "sha256"),
  suite(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", "1.2", "aes-256-gcm", "sha384"),
]);

const BY_ID = new Map(CIPHER_SUITES.map((s) => [s.id, s]));
const BY_NAME = new Map(CIPHER_SUITES.map((s) => [s.name, s]));

/** A supported suite by IANA number or name; undefined when the record layer cannot protect it. */
export function cipherSuite(idOrName: number | string): TlsCipherSuite | undefined {
  return typeof idOrName === "number" ? BY_ID.get(idOrName) : BY_NAME.get(idOrName);
}
