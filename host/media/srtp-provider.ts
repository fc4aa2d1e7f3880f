// The SRTP provider interface the media path is written against. The lead's core (the WebAssembly
// SRTP engine) implements exactly this public API; host/sim/mediation/node-srtp.ts implements it
// independently with Node's crypto so that every simulated call cross-checks two implementations.
//
// Failures are thrown as errors carrying a stable `code` (never classify by message text):
//   ERR_SRTP_AUTH        the tag did not verify (or the AEAD open failed); nothing is returned
//   ERR_SRTP_REPLAY      the packet index was already received (inside the replay window)
//   ERR_SRTP_REPLAY_OLD  the packet index is older than the replay window
//   ERR_SRTP_MKI         the MKI in the packet (or passed to useKey/removeKey) is not known
//   ERR_SRTP_MALFORMED   the packet is too short or its header is inconsistent
//   ERR_SRTP_KEY_LIMIT   the master key's lifetime (or the 2^48 / 2^31 index space) is used up
//   ERR_SRTP_KEY_LENGTH  a master key or salt has the wrong length for the profile
//   ERR_SRTP_ARG         another argument is out of range (profile, window, MKI length...)
//   ERR_SRTP_CLOSED      the context was closed
import { GwsdkError } from "../errors.js";
import type { SrtpProfileName } from "../srtp/profiles.js";

/** The SDES crypto-suite names; the closed table lives in host/srtp/profiles.ts. */
export type SrtpProfile = SrtpProfileName;

export interface SrtpKey {
  masterKey: Uint8Array;
  masterSalt: Uint8Array;
  /** Master Key Identifier carried in every packet protected with this key (1..4 bytes here). */
  mki?: Uint8Array;
}

export interface SrtpKeyLimitEvent {
  mki?: Uint8Array;
  /** Packets that may still be protected/unprotected with this key. */
  remaining: number;
  /** false: the soft warning (re-key soon); true: the key is used up and now refused. */
  hard: boolean;
}

export interface SrtpOptions extends SrtpKey {
  profile: SrtpProfile;
  /** Maximum number of packets (SRTP + SRTCP) per master key (SDES lifetime); default 2^48. */
  lifetime?: number;
  /** Replay window in packets (default 128 for this interface). */
  replayWindow?: number;
  /** Allow protecting the same RTP index twice (retransmission of an identical packet). */
  allowRepeatTx?: boolean;
  onKeyLimit?: (e: SrtpKeyLimitEvent) => void;
}

export interface SrtpSender {
  protect(rtp: Uint8Array): Uint8Array;
  protectRtcp(rtcp: Uint8Array): Uint8Array;
  addKey(k: SrtpKey): void;
  useKey(mki: Uint8Array): void;
  removeKey(mki: Uint8Array): void;
  close(): void;
}

export interface SrtpReceiver {
  unprotect(srtp: Uint8Array): Uint8Array;
  unprotectRtcp(srtcp: Uint8Array): Uint8Array;
  addKey(k: SrtpKey): void;
  removeKey(mki: Uint8Array): void;
  close(): void;
}

export interface SrtpProvider {
  /** A short name for logs and stats ("node-crypto", "core-simd"...). */
  readonly name?: string;
  sender(opts: SrtpOptions): SrtpSender;
  receiver(opts: SrtpOptions): SrtpReceiver;
}

export type SrtpErrorCode =
  | "ERR_SRTP_AUTH"
  | "ERR_SRTP_REPLAY"
  | "ERR_SRTP_REPLAY_OLD"
  | "ERR_SRTP_MKI"
  | "ERR_SRTP_MALFORMED"
  | "ERR_SRTP_KEY_LIMIT"
  | "ERR_SRTP_KEY_LENGTH"
  | "ERR_SRTP_ARG"
  | "ERR_SRTP_CLOSED";

/** The error class node-srtp throws. Other providers may throw their own class: test `code`. */
export class SrtpError extends GwsdkError {
  constructor(code: SrtpErrorCode, message: string) {
    super(code, message);
  }
}

/** The `code` of an error thrown by a provider, or undefined when it has none. */
export function srtpErrorCode(e: unknown): string | undefined {
  if (typeof e === "object" && e !== null && "code" in e && typeof (e as { code: unknown }).code === "string") {
    return (e as { code: string }).code;
  }
  return undefined;
}

/** Static facts about a profile (RFC 3711, RFC 4568, RFC 6188, RFC 7714). */
export interface SrtpProfileInfo {
  readonly profile: SrtpProfile;
  /** Master (and session) encryption key length in bytes; NULL profiles derive with a 16-byte key. */
  readonly keyLength: number;
  readonly saltLength: number;
  /** SRTP auth tag length (bytes); for AEAD the GCM tag. */
  readonly srtpTagLength: number;
  /** SRTCP auth tag length: RFC 4568 gives the _32 suites an 80-bit SRTCP tag. */
  readonly srtcpTagLength: number;
  readonly cipher: "aes-cm" | "aes-gcm" | "null";
}

export const SRTP_PROFILES: Readonly<Record<SrtpProfile, SrtpProfileInfo>> = {
  AES_CM_128_HMAC_SHA1_80: { profile: "AES_CM_128_HMAC_SHA1_80", keyLength: 16, saltLength: 14, srtpTagLength: 10, srtcpTagLength: 10, cipher: "aes-cm" },
  AES_CM_128_HMAC_SHA1_32: { profile: "AES_CM_128_HMAC_SHA1_32", keyLength: 16, saltLength: 14, srtpTagLength: 4, srtcpTagLength: 10, cipher: "aes-cm" },
  AES_192_CM_HMAC_SHA1_80: { profile: "AES_192_CM_HMAC_SHA1_80", keyLength: 24, saltLength: 14, srtpTagLength: 10, srtcpTagLength: 10, cipher: "aes-cm" },
  AES_192_CM_HMAC_SHA1_32: { profile: "AES_192_CM_HMAC_SHA1_32", keyLength: 24, saltLength: 14, srtpTagLength: 4, srtcpTagLength: 10, cipher: "aes-cm" },
  AES_256_CM_HMAC_SHA1_80: { profile: "AES_256_CM_HMAC_SHA1_80", keyLength: 32, saltLength: 14, srtpTagLength: 10, srtcpTagLength: 10, cipher: "aes-cm" },
  AES_256_CM_HMAC_SHA1_32: { profile: "AES_256_CM_HMAC_SHA1_32", keyLength: 32, saltLength: 14, srtpTagLength: 4, srtcpTagLength: 10, cipher: "aes-cm" },
  AEAD_AES_128_GCM: { profile: "AEAD_AES_128_GCM", keyLength: 16, saltLength: 12, srtpTagLength: 16, srtcpTagLength: 16, cipher: "aes-gcm" },
  AEAD_AES_256_GCM: { profile: "AEAD_AES_256_GCM", keyLength: 32, saltLength: 12, srtpTagLength: 16, srtcpTagLength: 16, cipher: "aes-gcm" },
  NULL_HMAC_SHA1_80: { profile: "NULL_HMAC_SHA1_80", keyLength: 16, saltLength: 14, srtpTagLength: 10, srtcpTagLength: 10, cipher: "null" },
  NULL_HMAC_SHA1_32: { profile: "NULL_HMAC_SHA1_32", keyLength: 16, saltLength: 14, srtpTagLength: 4, srtcpTagLength: 10, cipher: "null" },
};

export function isSrtpProfile(s: string): s is SrtpProfile {
  return Object.prototype.hasOwnProperty.call(SRTP_PROFILES, s);
}
