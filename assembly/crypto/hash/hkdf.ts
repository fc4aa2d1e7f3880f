// HKDF (RFC 5869) and TLS 1.3 HKDF-Expand-Label (RFC 8446 §7.1) over HMAC-SHA-1/256/384/512.
//
// Constant time: everything is HMAC (see hmac.ts); loops run over the public output length.
import { shaDigestLen } from "./sha";
import { hmacCompute, hmacFinal, hmacInit, hmacKeyInit, hmacUpdate } from "./hmac";
import { copySmall } from "./bytes";
import { KDF_COUNTER, KDF_INFO, KDF_KEY, KDF_MAC, KDF_PREV, kdfWipe } from "./kdf_scratch";

/** Longest label accepted by HKDF-Expand-Label: "tls13 " + label fits opaque label<7..255>. */
export const HKDF_LABEL_MAX: usize = 249;
/** Longest context: opaque context<0..255>. */
export const HKDF_CONTEXT_MAX: usize = 255;

/**
 * HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM) (RFC 5869 §2.2). An empty salt is the same as
 * HashLen zero bytes (HMAC pads keys with zeros). Writes HashLen bytes to prk, which may overlap
 * the inputs.
 */
export function hkdfExtract(alg: i32, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize, prk: usize): void {
  hmacKeyInit(KDF_KEY, alg, salt, saltLen);
  hmacCompute(KDF_KEY, ikm, ikmLen, prk, shaDigestLen(alg));
  kdfWipe();
}

/**
 * HKDF-Expand(PRK, info, L) (RFC 5869 §2.3): T(i) = HMAC(PRK, T(i-1) || info || i), OKM = first L
 * bytes of T(1) || T(2) || ...; L <= 255 * HashLen (the caller checks). out may overlap prk (the key
 * is absorbed first) but not info, which is read for every block.
 */
export function hkdfExpand(alg: i32, prk: usize, prkLen: usize, info: usize, infoLen: usize, out: usize, outLen: usize): void {
  const dl = shaDigestLen(alg);
  hmacKeyInit(KDF_KEY, alg, prk, prkLen);
  let done: usize = 0;
  let i: u32 = 1;
  while (done < outLen) {
    hmacInit(KDF_MAC, KDF_KEY);
    if (i > 1) hmacUpdate(KDF_MAC, KDF_PREV, dl);
    hmacUpdate(KDF_MAC, info, infoLen);
    store<u8>(KDF_COUNTER, <u8>i);
    hmacUpdate(KDF_MAC, KDF_COUNTER, 1);
    hmacFinal(KDF_MAC, KDF_PREV, dl);
    let take = outLen - done;
    if (take > dl) take = dl;
    copySmall(out + done, KDF_PREV, take);
    done += take;
    i++;
  }
  kdfWipe();
}

/**
 * HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length) with
 *   struct { uint16 length = Length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255> = Context; } HkdfLabel;
 * (RFC 8446 §7.1). label is given WITHOUT the "tls13 " prefix (labelLen <= 249); ctxLen <= 255;
 * outLen <= 255 * HashLen (callers check). The label structure is built in private scratch before
 * any output is written, so out may overlap any input.
 */
export function hkdfExpandLabel(
  alg: i32, secret: usize, secretLen: usize, label: usize, labelLen: usize,
  ctx: usize, ctxLen: usize, out: usize, outLen: usize,
): void {
  const info = KDF_INFO;
  store<u8>(info, <u8>(outLen >>> 8), 0);
  store<u8>(info, <u8>outLen, 1);
  store<u8>(info, <u8>(6 + labelLen), 2);
  // "tls13 " = 74 6c 73 31 33 20
  store<u32>(info, 0x31736c74, 3);
  store<u16>(info, 0x2033, 7);
  let q = info + 9;
  copySmall(q, label, labelLen);
  q += labelLen;
  store<u8>(q, <u8>ctxLen);
  q++;
  copySmall(q, ctx, ctxLen);
  q += ctxLen;
  hkdfExpand(alg, secret, secretLen, info, q - info, out, outLen);
  memory.fill(info, 0, q - info);
}
