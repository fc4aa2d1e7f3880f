// TLS policy of the mutual-TLS link to the Mediation Server: which versions, suites, groups and
// signature schemes we offer and accept, and how strictly the peer's certificate is read. The
// default matches Skype for Business Server 2019 (TLS 1.3 then 1.2, ECDHE + AES-GCM only).
//
// FIPS mode narrows the choices to FIPS-approved algorithms (no X25519; P-256/P-384 ECDHE; AES-GCM;
// SHA-2 signatures; RSA >= 2048). It is an approved-algorithms mode, not a FIPS 140 validation.
import { TlsError } from "./errors.js";
import { CipherSuite, NamedGroup, SignatureScheme } from "./handshake/constants.js";
import { cipherSuite, type TlsCipherSuite } from "./record-suites.js";

export type TlsVersionLabel = "TLSv1.3" | "TLSv1.2";

/** What a caller (or a board's `tls` section) may set. */
export interface TlsPolicy {
  /** "sfb" (default): a client certificate with serverAuth or clientAuth EKU is accepted; "strict": clientAuth required. */
  profile?: "sfb" | "strict";
  /** Versions offered and accepted, default ["TLSv1.3", "TLSv1.2"]. */
  versions?: TlsVersionLabel[];
  /** FIPS-approved algorithms only (no X25519). Default false. */
  fips?: boolean;
  /**
   * ECDHE_RSA with AES-CBC for old Mediation Servers. Not available: the record core protects
   * AEAD records only and has no constant-time (Lucky13-safe) CBC check, so `true` is refused.
   */
  legacyCbc?: boolean;
  /** Whole-handshake deadline (every read in the handshake waits at most until then). Default 10000. */
  handshakeTimeoutMs?: number;
}

export interface ResolvedTlsPolicy {
  readonly profile: "sfb" | "strict";
  readonly versions: readonly TlsVersionLabel[];
  readonly fips: boolean;
  readonly handshakeTimeoutMs: number;
  /** TLS 1.3 suites, preferred first (empty when 1.3 is off). */
  readonly suites13: readonly TlsCipherSuite[];
  /** TLS 1.2 suites, preferred first (empty when 1.2 is off). */
  readonly suites12: readonly TlsCipherSuite[];
  /** Key-exchange groups, preferred first. */
  readonly groups: readonly number[];
  /** Signature schemes offered and accepted (handshake and certificates), preferred first. */
  readonly schemes: readonly number[];
  /** The lowest RSA modulus we sign with or accept. */
  readonly minRsaBits: number;
}

/**
 * A date this SDK was certainly built after: a lower bound for any real clock. A device clock earlier
 * than this has not been set (no RTC, no NTP yet: such clocks start at 1970 or 2000), and certificate
 * checks then fail with ERR_TLS_CLOCK instead of "not yet valid". Deliberately conservative; a
 * release build may raise it (or pass `buildDate`).
 */
export const SDK_BUILD_DATE = new Date("2025-01-01T00:00:00Z");

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Order of Windows Server 2019/2022 Schannel: AES-256 first. */
const SUITES_13 = [CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_AES_128_GCM_SHA256];
const SUITES_12 = [
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
];
const GROUPS = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];
const GROUPS_FIPS = [NamedGroup.secp256r1, NamedGroup.secp384r1];
/** Exactly the schemes of issue 5: no SHA-1, no MD5, no rsa_pss_pss, no EdDSA. */
const SCHEMES = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
];

function configError(message: string): TlsError {
  return new TlsError("ERR_TLS_CONFIG", message);
}

/** Checks a policy and fills in the defaults. Throws TlsError ERR_TLS_CONFIG naming the bad field. */
export function resolvePolicy(p: TlsPolicy = {}): ResolvedTlsPolicy {
  if (typeof p !== "object" || p === null) throw configError("policy must be an object");
  const profile = p.profile ?? "sfb";
  if (profile !== "sfb" && profile !== "strict") throw configError(`policy.profile must be "sfb" or "strict", not ${JSON.stringify(profile)}`);
  const versions = p.versions ?? ["TLSv1.3", "TLSv1.2"];
  if (!Array.isArray(versions) || versions.length === 0) throw configError('policy.versions must list "TLSv1.3" and/or "TLSv1.2"');
  for (const v of versions) {
    if (v !== "TLSv1.3" && v !== "TLSv1.2") {
      throw configError(`policy.versions: ${JSON.stringify(v)} is not supported (only "TLSv1.3" and "TLSv1.2"; SSL 3.0, TLS 1.0 and 1.1 are never spoken)`);
    }
  }
  const fips = p.fips ?? false;
  if (typeof fips !== "boolean") throw configError("policy.fips must be a boolean");
  if (p.legacyCbc === true) {
    throw configError(
      "policy.legacyCbc: the CBC suites are not available in this build (the record core protects AES-GCM records only and has no constant-time CBC padding/MAC check); use a Mediation Server that offers ECDHE with AES-GCM",
    );
  }
  if (p.legacyCbc !== undefined && typeof p.legacyCbc !== "boolean") throw configError("policy.legacyCbc must be a boolean");
  const handshakeTimeoutMs = p.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  if (!Number.isInteger(handshakeTimeoutMs) || handshakeTimeoutMs < 1 || handshakeTimeoutMs > 600_000) {
    throw configError(`policy.handshakeTimeoutMs must be an integer from 1 to 600000, not ${String(handshakeTimeoutMs)}`);
  }
  const order: TlsVersionLabel[] = (["TLSv1.3", "TLSv1.2"] as const).filter((v) => versions.includes(v));
  const suites = (ids: number[]) => ids.map((id) => cipherSuite(id)!);
  return Object.freeze({
    profile,
    versions: Object.freeze(order),
    fips,
    handshakeTimeoutMs,
    suites13: Object.freeze(order.includes("TLSv1.3") ? suites(SUITES_13) : []),
    suites12: Object.freeze(order.includes("TLSv1.2") ? suites(SUITES_12) : []),
    groups: Object.freeze(fips ? GROUPS_FIPS : GROUPS),
    schemes: Object.freeze(SCHEMES),
    minRsaBits: 2048,
  });
}
