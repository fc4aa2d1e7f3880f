// SDES: the `a=crypto` attribute of RFC 4568 §9.1, parsed strictly and formatted canonically.
//
//   a=crypto:<tag> <crypto-suite> <key-params> [<session-param> ...]
//   key-params = key-param *(";" key-param)          key-param = "inline:" key-info
//   key-info   = base64(key ‖ salt) ["|" lifetime] ["|" mki-value ":" mki-length]
//   lifetime   = ["2^"] 1*DIGIT                        (Microsoft: |2^31; MKI |1:1)
//
// sdp-transform's crypto rule keeps only the first session parameter, so the negotiator hands this
// module the raw attribute value (see negotiator.ts).
import { SRTP_PROFILES, type SrtpProfile } from "../media/srtp-provider.js";
import { SdpError } from "./errors.js";

/** The suites RFC 4568 / RFC 6188 / RFC 7714 name in SDES, mapped to SRTP profiles. */
export const SDES_SUITES: Readonly<Record<string, SrtpProfile>> = {
  AES_CM_128_HMAC_SHA1_80: "AES_CM_128_HMAC_SHA1_80",
  AES_CM_128_HMAC_SHA1_32: "AES_CM_128_HMAC_SHA1_32",
  AES_192_CM_HMAC_SHA1_80: "AES_192_CM_HMAC_SHA1_80",
  AES_192_CM_HMAC_SHA1_32: "AES_192_CM_HMAC_SHA1_32",
  AES_256_CM_HMAC_SHA1_80: "AES_256_CM_HMAC_SHA1_80",
  AES_256_CM_HMAC_SHA1_32: "AES_256_CM_HMAC_SHA1_32",
  AEAD_AES_128_GCM: "AEAD_AES_128_GCM",
  AEAD_AES_256_GCM: "AEAD_AES_256_GCM",
  NULL_HMAC_SHA1_80: "NULL_HMAC_SHA1_80",
  NULL_HMAC_SHA1_32: "NULL_HMAC_SHA1_32",
};

/** Our largest accepted MKI, in bytes (RFC 4568 allows 1..128; Microsoft uses 1). */
export const MAX_MKI_LENGTH = 4;
/** RFC 3711 §9.2: at most 2^48 SRTP packets per master key. */
export const MAX_LIFETIME = 2 ** 48;

export interface SdesMki {
  value: number;
  /** Bytes the MKI occupies in each packet (1..4). */
  length: number;
}

export interface SdesKeyParam {
  key: Uint8Array;
  salt: Uint8Array;
  /** Packets per master key when the line states one. */
  lifetime?: number;
  /** The lifetime exactly as written ("2^31", "1048576"), for re-formatting. */
  lifetimeText?: string;
  mki?: SdesMki;
}

export interface CryptoAttribute {
  tag: number;
  suite: string;
  /** undefined when the suite is not one we know (the line is then ignored, not an error). */
  profile: SrtpProfile | undefined;
  keyParams: SdesKeyParam[];
  sessionParams: string[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Strict base64: standard alphabet, padded to a multiple of 4, canonical (re-encodes identically). */
export function decodeBase64Strict(s: string): Uint8Array {
  if (!BASE64.test(s) || s.length % 4 !== 0) throw new SdpError("ERR_SDP_BASE64", "key-salt is not valid base64");
  const b = Buffer.from(s, "base64");
  if (b.toString("base64") !== s) throw new SdpError("ERR_SDP_BASE64", "key-salt is not canonical base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The MKI as the bytes placed in packets (big-endian, `length` bytes). */
export function mkiBytes(m: SdesMki): Uint8Array {
  const out = new Uint8Array(m.length);
  let v = m.value;
  for (let i = m.length - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

function parseLifetime(s: string): number {
  let n: number;
  if (s.startsWith("2^")) {
    if (!/^2\^\d{1,2}$/.test(s)) throw new SdpError("ERR_SDP_LIFETIME", `bad lifetime ${s}`);
    n = 2 ** Number(s.slice(2));
  } else {
    if (!/^\d{1,15}$/.test(s)) throw new SdpError("ERR_SDP_LIFETIME", `bad lifetime ${s}`);
    n = Number(s);
  }
  if (n < 1 || n > MAX_LIFETIME) throw new SdpError("ERR_SDP_LIFETIME", `lifetime ${s} is outside 1..2^48`);
  return n;
}

function parseMki(s: string): SdesMki {
  const m = /^(\d{1,10}):(\d{1,3})$/.exec(s);
  if (!m) throw new SdpError("ERR_SDP_MKI", `bad MKI ${s}`);
  const length = Number(m[2]);
  const value = Number(m[1]);
  if (length < 1 || length > MAX_MKI_LENGTH) throw new SdpError("ERR_SDP_MKI", `MKI length ${length} is outside 1..${MAX_MKI_LENGTH}`);
  if (value >= 2 ** (8 * length)) throw new SdpError("ERR_SDP_MKI", `MKI value ${value} does not fit in ${length} byte(s)`);
  return { value, length };
}

function parseKeyParam(s: string, profile: SrtpProfile | undefined): SdesKeyParam {
  if (!s.startsWith("inline:")) throw new SdpError("ERR_SDP_CRYPTO", "only the inline: key method exists");
  const parts = s.slice(7).split("|");
  if (parts.length > 3) throw new SdpError("ERR_SDP_CRYPTO", "too many |-separated fields in key-info");
  const keySalt = decodeBase64Strict(parts[0]!);
  let lifetime: number | undefined;
  let lifetimeText: string | undefined;
  let mki: SdesMki | undefined;
  for (const f of parts.slice(1)) {
    if (f.includes(":")) {
      if (mki) throw new SdpError("ERR_SDP_MKI", "two MKI fields");
      mki = parseMki(f);
    } else {
      if (mki || lifetime !== undefined) throw new SdpError("ERR_SDP_LIFETIME", "the lifetime must come once, before the MKI");
      lifetime = parseLifetime(f);
      lifetimeText = f;
    }
  }
  let keyLen = keySalt.length;
  let saltLen = 0;
  if (profile) {
    const info = SRTP_PROFILES[profile];
    if (keySalt.length !== info.keyLength + info.saltLength) {
      throw new SdpError("ERR_SDP_KEY_LENGTH", `${profile} needs ${info.keyLength + info.saltLength} bytes of key and salt, got ${keySalt.length}`);
    }
    keyLen = info.keyLength;
    saltLen = info.saltLength;
  }
  return {
    key: keySalt.slice(0, keyLen),
    salt: keySalt.slice(keyLen, keyLen + saltLen),
    ...(lifetime !== undefined ? { lifetime, lifetimeText: lifetimeText! } : {}),
    ...(mki ? { mki } : {}),
  };
}

/**
 * Parses the value of an `a=crypto:` attribute (everything after "crypto:"). Throws SdpError with
 * ERR_SDP_CRYPTO / _BASE64 / _KEY_LENGTH / _LIFETIME / _MKI. An unknown suite is not an error:
 * the result has `profile: undefined` and no key params are decoded.
 */
export function parseCryptoAttribute(value: string): CryptoAttribute {
  const fields = value.trim().split(/[ \t]+/);
  if (fields.length < 3) throw new SdpError("ERR_SDP_CRYPTO", "a=crypto needs a tag, a suite and key params");
  const [tagText, suite, keyParamsText, ...sessionParams] = fields as [string, string, string, ...string[]];
  if (!/^\d{1,9}$/.test(tagText)) throw new SdpError("ERR_SDP_CRYPTO", `bad crypto tag ${tagText}`);
  if (!/^[A-Za-z0-9_]+$/.test(suite)) throw new SdpError("ERR_SDP_CRYPTO", `bad crypto suite ${suite}`);
  const profile = Object.prototype.hasOwnProperty.call(SDES_SUITES, suite) ? SDES_SUITES[suite] : undefined;
  const tag = Number(tagText);
  if (!profile) return { tag, suite, profile: undefined, keyParams: [], sessionParams };
  const keyParams = keyParamsText.split(";").map((k) => parseKeyParam(k, profile));
  if (keyParams.length > 1) {
    // RFC 4568 §6.1: several master keys in one line need MKIs to tell them apart.
    const lens = new Set(keyParams.map((k) => k.mki?.length ?? 0));
    const vals = new Set(keyParams.map((k) => k.mki?.value));
    if (lens.has(0) || lens.size !== 1 || vals.size !== keyParams.length) {
      throw new SdpError("ERR_SDP_MKI", "several keys in one a=crypto need distinct MKIs of one length");
    }
  }
  return { tag, suite, profile, keyParams, sessionParams };
}

/**
 * Session parameters we accept on a line: WSH (a window-size hint, RFC 4568 §6.3.7: at least 64,
 * ignored: our window is 128) and any "-"-prefixed optional extension. Everything else (KDR,
 * UNENCRYPTED_SRTP/SRTCP, UNAUTHENTICATED_SRTP, FEC_ORDER, FEC_KEY, unknown) makes the line
 * unusable: it changes the transform in a way we do not implement. Throws ERR_SDP_SESSION_PARAM.
 */
export function checkSessionParams(params: string[]): void {
  for (const p of params) {
    if (p.startsWith("-")) continue;
    const wsh = /^WSH=(\d{1,9})$/.exec(p);
    if (wsh && Number(wsh[1]) >= 64) continue;
    throw new SdpError("ERR_SDP_SESSION_PARAM", `unsupported SDES session parameter ${p}`);
  }
}

/** Formats an `a=crypto` value (without "crypto:"), base64 of key ‖ salt. */
export function formatCryptoAttribute(a: { tag: number; suite: string; keyParams: SdesKeyParam[]; sessionParams?: string[] }): string {
  const kp = a.keyParams
    .map((k) => {
      let s = "inline:" + Buffer.concat([k.key, k.salt]).toString("base64");
      if (k.lifetimeText !== undefined) s += "|" + k.lifetimeText;
      else if (k.lifetime !== undefined) s += "|" + formatLifetime(k.lifetime);
      if (k.mki) s += `|${k.mki.value}:${k.mki.length}`;
      return s;
    })
    .join(";");
  return [String(a.tag), a.suite, kp, ...(a.sessionParams ?? [])].join(" ");
}

export function formatLifetime(n: number): string {
  const e = Math.log2(n);
  return Number.isInteger(e) ? `2^${e}` : String(n);
}
