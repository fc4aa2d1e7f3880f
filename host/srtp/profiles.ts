// The closed table of SRTP protection profiles, keyed by the SDES crypto-suite name (RFC 4568 §6.2,
// RFC 6188 §6, RFC 7714 §14.2), with the DTLS-SRTP protection profile id where one exists
// (RFC 5764 §4.1.2, RFC 7714 §14.2). `id` is the core's profile number (assembly/srtp/profiles.ts);
// a test checks that both tables agree field by field.
import { SrtpError } from "./errors.js";

export type SrtpProfileName =
  | "AES_CM_128_HMAC_SHA1_80"
  | "AES_CM_128_HMAC_SHA1_32"
  | "AES_192_CM_HMAC_SHA1_80"
  | "AES_192_CM_HMAC_SHA1_32"
  | "AES_256_CM_HMAC_SHA1_80"
  | "AES_256_CM_HMAC_SHA1_32"
  | "AEAD_AES_128_GCM"
  | "AEAD_AES_256_GCM"
  | "NULL_HMAC_SHA1_80"
  | "NULL_HMAC_SHA1_32";

export interface SrtpProfileInfo {
  readonly name: SrtpProfileName;
  /** The core's profile number. */
  readonly id: number;
  /** "aes-cm" (RFC 3711 AES counter mode + HMAC-SHA1), "aes-gcm" (RFC 7714 AEAD), "null" (HMAC only). */
  readonly cipher: "aes-cm" | "aes-gcm" | "null";
  readonly masterKeyLength: number;
  readonly masterSaltLength: number;
  /** SRTP authentication tag length in octets. */
  readonly srtpTagLength: number;
  /** SRTCP authentication tag length in octets (the `_32` suites keep an 80-bit SRTCP tag). */
  readonly srtcpTagLength: number;
  /** DTLS-SRTP protection profile id (RFC 5764 / RFC 7714), when the suite has one. */
  readonly dtlsId?: number;
}

function p(
  name: SrtpProfileName, id: number, cipher: SrtpProfileInfo["cipher"], key: number, salt: number, rtpTag: number, rtcpTag: number, dtlsId?: number,
): SrtpProfileInfo {
  const info: SrtpProfileInfo = { name, id, cipher, masterKeyLength: key, masterSaltLength: salt, srtpTagLength: rtpTag, srtcpTagLength: rtcpTag };
  return Object.freeze(dtlsId === undefined ? info : { ...info, dtlsId });
}

export const SRTP_PROFILES: readonly SrtpProfileInfo[] = Object.freeze([
  p("AES_CM_128_HMAC_SHA1_80", 1, "aes-cm", 16, 14, 10, 10, 0x0001),
  p("AES_CM_128_HMAC_SHA1_32", 2, "aes-cm", 16, 14, 4, 10, 0x0002),
  p("AES_192_CM_HMAC_SHA1_80", 3, "aes-cm", 24, 14, 10, 10),
  p("AES_192_CM_HMAC_SHA1_32", 4, "aes-cm", 24, 14, 4, 10),
  p("AES_256_CM_HMAC_SHA1_80", 5, "aes-cm", 32, 14, 10, 10),
  p("AES_256_CM_HMAC_SHA1_32", 6, "aes-cm", 32, 14, 4, 10),
  p("AEAD_AES_128_GCM", 7, "aes-gcm", 16, 12, 16, 16, 0x0007),
  p("AEAD_AES_256_GCM", 8, "aes-gcm", 32, 12, 16, 16, 0x0008),
  p("NULL_HMAC_SHA1_80", 9, "null", 16, 14, 10, 10, 0x0005),
  p("NULL_HMAC_SHA1_32", 10, "null", 16, 14, 4, 10, 0x0006),
]);

const BY_NAME = new Map<string, SrtpProfileInfo>(SRTP_PROFILES.map((x) => [x.name, x]));

/** The profile of an SDES crypto-suite name; ERR_SRTP_PROFILE for anything else. */
export function srtpProfile(name: string): SrtpProfileInfo {
  const info = BY_NAME.get(name);
  if (!info) throw new SrtpError("ERR_SRTP_PROFILE", `unknown SRTP protection profile ${JSON.stringify(name)}`);
  return info;
}

/** The profile with a DTLS-SRTP protection profile id, or undefined. */
export function srtpProfileByDtlsId(id: number): SrtpProfileInfo | undefined {
  return SRTP_PROFILES.find((x) => x.dtlsId === id);
}
