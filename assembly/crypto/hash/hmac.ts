// HMAC (RFC 2104, FIPS 198-1) over SHA-1/256/384/512 with a reusable key context.
//
// HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m)), K0 = K zero-padded to the block length, or
// H(K) zero-padded when K is longer than a block. The two first blocks depend on the key only, so
// hmacKeyInit compresses them once and keeps the two chaining states; each message then costs its
// own blocks plus one outer compression (HMAC-SHA1 over 176 bytes: 3 + 1 compressions).
//
// Key context (HMAC_KEY_SIZE = 144 bytes):
//    0 u32 magic (HMAC_KEY_MAGIC)   4 u32 alg
//   16 inner state: H state after absorbing K0 ^ ipad (64 bytes of room)
//   80 outer state: H state after absorbing K0 ^ opad
// Message context (HMAC_CTX_SIZE = 304 bytes):
//    0 u32 magic (HMAC_CTX_MAGIC)   4 u32 alg
//   16 outer state copied from the key context (a context holds no pointers)
//   80 a SHA context (sha.ts layout) running the inner hash
//
// Constant time: key setup and tags run straight-line compressions; branches depend on the public
// key length, message length and tag length only. Verification compares with ctEqual.
import {
  ALG_SHA1, ALG_SHA256, SHA_CTX_SIZE, SHA_OFF_BUF, SHA_OFF_STATE, SHA_MAX_DIGEST,
  shaBlockLen, shaCompress, shaDigest, shaDigestLen, shaFinish, shaInitFromState, shaPadFinish,
  shaStateCopy, shaStateInit, shaStateOut, shaUpdate,
} from "./sha";
import { copySmall, zeroSmall } from "./bytes";
import { ctEqual } from "../../util/ct";

export const HMAC_KEY_SIZE: usize = 144;
export const HMAC_CTX_SIZE: usize = 80 + SHA_CTX_SIZE; // 304
/** "HMK\x01" / "HMC\x01". */
export const HMAC_KEY_MAGIC: u32 = 0x014b4d48;
export const HMAC_CTX_MAGIC: u32 = 0x01434d48;

export const HMAC_OFF_MAGIC: usize = 0;
export const HMAC_OFF_ALG: usize = 4;
export const HMAC_KEY_OFF_INNER: usize = 16;
export const HMAC_KEY_OFF_OUTER: usize = 80;
export const HMAC_CTX_OFF_OUTER: usize = 16;
export const HMAC_CTX_OFF_SHA: usize = 80;

// Private scratch. BLOCK holds a key pad or a message's last block(s); STATE and OUTER the inner and
// outer chaining states of hmacCompute; VERIFY a computed tag for hmacVerify. No function that uses
// one calls another function that uses the same one while it holds data, and each is wiped before
// its user returns.
const BLOCK: usize = memory.data(128, 16);
const STATE: usize = memory.data(64, 16);
const OUTER: usize = memory.data(64, 16);
const VERIFY: usize = memory.data(64, 16);

/**
 * Sets up an HMAC key context for alg from keyLen bytes at key (any length, 0 included; longer than
 * a block is hashed first, RFC 2104 §2). key may overlap kctx.
 */
export function hmacKeyInit(kctx: usize, alg: i32, key: usize, keyLen: usize): void {
  const bl = shaBlockLen(alg);
  let kl = keyLen;
  if (keyLen > bl) {
    shaDigest(alg, key, keyLen, BLOCK);
    kl = shaDigestLen(alg);
  } else {
    copySmall(BLOCK, key, keyLen);
  }
  zeroSmall(BLOCK + kl, bl - kl);
  // K0 ^ ipad (0x36 in every byte), then K0 ^ opad (0x5c) = (K0 ^ ipad) ^ (0x36 ^ 0x5c).
  for (let i: usize = 0; i < bl; i += 8) store<u64>(BLOCK + i, load<u64>(BLOCK + i) ^ 0x3636363636363636);
  shaStateInit(alg, kctx + HMAC_KEY_OFF_INNER);
  shaCompress(alg, kctx + HMAC_KEY_OFF_INNER, BLOCK, 1);
  for (let i: usize = 0; i < bl; i += 8) store<u64>(BLOCK + i, load<u64>(BLOCK + i) ^ 0x6a6a6a6a6a6a6a6a);
  shaStateInit(alg, kctx + HMAC_KEY_OFF_OUTER);
  shaCompress(alg, kctx + HMAC_KEY_OFF_OUTER, BLOCK, 1);
  zeroSmall(BLOCK, bl);
  store<u32>(kctx, HMAC_KEY_MAGIC, HMAC_OFF_MAGIC);
  store<u32>(kctx, <u32>alg, HMAC_OFF_ALG);
  store<u64>(kctx, 0, 8);
}

/** Starts one MAC computation in mctx with the key in kctx. */
export function hmacInit(mctx: usize, kctx: usize): void {
  const alg = <i32>load<u32>(kctx, HMAC_OFF_ALG);
  store<u32>(mctx, HMAC_CTX_MAGIC, HMAC_OFF_MAGIC);
  store<u32>(mctx, <u32>alg, HMAC_OFF_ALG);
  shaStateCopy(alg, mctx + HMAC_CTX_OFF_OUTER, kctx + HMAC_KEY_OFF_OUTER);
  shaInitFromState(mctx + HMAC_CTX_OFF_SHA, alg, kctx + HMAC_KEY_OFF_INNER, <u64>shaBlockLen(alg));
}

/** Absorbs n message bytes at p. */
@inline export function hmacUpdate(mctx: usize, p: usize, n: usize): void {
  shaUpdate(mctx + HMAC_CTX_OFF_SHA, p, n);
}

/**
 * The outer hash: absorbs the inner digest (still a state at innerSt) into a copy of the outer state
 * outerSt, in buf (a block of room), and writes outLen bytes of the tag to out. Overwrites outerSt.
 */
@inline function outerFinish(alg: i32, innerSt: usize, outerSt: usize, buf: usize, out: usize, outLen: usize): void {
  const dl = shaDigestLen(alg);
  shaStateOut(alg, innerSt, buf, dl);
  shaPadFinish(alg, outerSt, buf, dl, <u64>(shaBlockLen(alg) + dl));
  shaStateOut(alg, outerSt, out, outLen);
}

/**
 * Writes the first outLen bytes (1..digest length) of the tag to out. mctx is finalised (magic 0):
 * hmacInit it again for the next message. out may overlap the message but not mctx.
 */
export function hmacFinal(mctx: usize, out: usize, outLen: usize): void {
  const alg = <i32>load<u32>(mctx, HMAC_OFF_ALG);
  const sha = mctx + HMAC_CTX_OFF_SHA;
  shaFinish(sha);
  outerFinish(alg, sha + SHA_OFF_STATE, mctx + HMAC_CTX_OFF_OUTER, sha + SHA_OFF_BUF, out, outLen);
  store<u32>(mctx, 0, HMAC_OFF_MAGIC);
}

/**
 * One-shot tag of n contiguous bytes at p (outLen bytes, 1..digest length) with the key in kctx.
 * Whole blocks are compressed straight from p; the tail and the outer block go through private
 * scratch. out may overlap the message (it is written last).
 */
export function hmacCompute(kctx: usize, p: usize, n: usize, out: usize, outLen: usize): void {
  const alg = <i32>load<u32>(kctx, HMAC_OFF_ALG);
  const bl = shaBlockLen(alg);
  shaStateCopy(alg, STATE, kctx + HMAC_KEY_OFF_INNER);
  const shift: usize = bl == 64 ? 6 : 7;
  const nb = n >>> shift;
  if (nb != 0) shaCompress(alg, STATE, p, nb);
  const done = nb << shift;
  const tail = n - done;
  copySmall(BLOCK, p + done, tail);
  shaPadFinish(alg, STATE, BLOCK, tail, <u64>bl + <u64>n);
  // STATE holds the inner result until outerFinish has serialised it into BLOCK, so the outer
  // chain runs in a second area.
  shaStateCopy(alg, OUTER, kctx + HMAC_KEY_OFF_OUTER);
  outerFinish(alg, STATE, OUTER, BLOCK, out, outLen);
  const sl: usize = alg == ALG_SHA1 ? 24 : alg == ALG_SHA256 ? 32 : 64;
  zeroSmall(BLOCK, bl);
  zeroSmall(STATE, sl);
  zeroSmall(OUTER, sl);
}

/**
 * 1 when the first tagLen bytes (1..digest length) of HMAC(kctx, message) equal tag, else 0.
 * The comparison is ctEqual: its time depends on tagLen only, never on where the bytes differ.
 */
export function hmacVerify(kctx: usize, p: usize, n: usize, tag: usize, tagLen: usize): i32 {
  hmacCompute(kctx, p, n, VERIFY, tagLen);
  const r = ctEqual(VERIFY, tag, tagLen);
  zeroSmall(VERIFY, SHA_MAX_DIGEST);
  return r;
}
