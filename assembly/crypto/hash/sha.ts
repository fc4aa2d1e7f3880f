// SHA-1, SHA-256, SHA-384, SHA-512 (FIPS 180-4): one streaming context for all four.
//
// Context layout (SHA_CTX_SIZE = 224 bytes, caller-owned, holds no pointers):
//   0  u32 magic     SHA_MAGIC while the context accepts data; 0 after shaFinal (exports refuse it)
//   4  u32 alg       ALG_SHA1 .. ALG_SHA512
//   8  u32 buffered  bytes waiting in the buffer, always < block length
//  16  u64 count     total bytes absorbed (SHA-1/256: 2^61 - 1 bytes max; not enforced, unreachable)
//  32  state         5 x u32 (SHA-1), 8 x u32 (SHA-256), 8 x u64 (SHA-384/512), host byte order
//  96  buffer        one block: 64 bytes (SHA-1/256) or 128 bytes (SHA-384/512)
//
// Internal API: no bounds or state checks (exports.ts does them). Timing depends only on lengths:
// every branch below is on the algorithm id or on byte counts, never on message or state bytes.
import { SHA1_H0, SHA1_H1, SHA1_H2, SHA1_H3, SHA1_H4, sha1Compress } from "./sha1_compress";
import { SHA256_H0, SHA256_H1, SHA256_H2, SHA256_H3, SHA256_H4, SHA256_H5, SHA256_H6, SHA256_H7, sha256Compress } from "./sha256_compress";
import {
  SHA384_H0, SHA384_H1, SHA384_H2, SHA384_H3, SHA384_H4, SHA384_H5, SHA384_H6, SHA384_H7,
  SHA512_H0, SHA512_H1, SHA512_H2, SHA512_H3, SHA512_H4, SHA512_H5, SHA512_H6, SHA512_H7,
  sha512Compress,
} from "./sha512_compress";
import { copySmall, zeroSmall } from "./bytes";

export const ALG_SHA1: i32 = 1;
export const ALG_SHA256: i32 = 2;
export const ALG_SHA384: i32 = 3;
export const ALG_SHA512: i32 = 4;

/** Largest digest (SHA-512) and block (SHA-384/512) in bytes. */
export const SHA_MAX_DIGEST: usize = 64;
export const SHA_MAX_BLOCK: usize = 128;

export const SHA_CTX_SIZE: usize = 224;
/** "SHA\x01": marks an initialised, not yet finalised context. */
export const SHA_MAGIC: u32 = 0x01414853;

export const SHA_OFF_MAGIC: usize = 0;
export const SHA_OFF_ALG: usize = 4;
export const SHA_OFF_BUFFERED: usize = 8;
export const SHA_OFF_COUNT: usize = 16;
export const SHA_OFF_STATE: usize = 32;
export const SHA_OFF_BUF: usize = 96;

/** True for the four algorithm ids. */
@inline export function shaAlgValid(alg: i32): bool {
  return <u32>(alg - 1) < 4;
}

/** Digest length in bytes: 20, 32, 48, 64; 0 for an unknown id. */
export function shaDigestLen(alg: i32): usize {
  switch (alg) {
    case ALG_SHA1: return 20;
    case ALG_SHA256: return 32;
    case ALG_SHA384: return 48;
    case ALG_SHA512: return 64;
    default: return 0;
  }
}

/** Block length in bytes: 64 for SHA-1/256, 128 for SHA-384/512. */
@inline export function shaBlockLen(alg: i32): usize {
  return alg <= ALG_SHA256 ? 64 : 128;
}

/** Writes the initial hash value H(0) of alg into the state area st (FIPS 180-4 §5.3). */
export function shaStateInit(alg: i32, st: usize): void {
  if (alg == ALG_SHA1) {
    store<u32>(st, SHA1_H0, 0); store<u32>(st, SHA1_H1, 4); store<u32>(st, SHA1_H2, 8);
    store<u32>(st, SHA1_H3, 12); store<u32>(st, SHA1_H4, 16);
  } else if (alg == ALG_SHA256) {
    store<u32>(st, SHA256_H0, 0); store<u32>(st, SHA256_H1, 4); store<u32>(st, SHA256_H2, 8); store<u32>(st, SHA256_H3, 12);
    store<u32>(st, SHA256_H4, 16); store<u32>(st, SHA256_H5, 20); store<u32>(st, SHA256_H6, 24); store<u32>(st, SHA256_H7, 28);
  } else if (alg == ALG_SHA384) {
    store<u64>(st, SHA384_H0, 0); store<u64>(st, SHA384_H1, 8); store<u64>(st, SHA384_H2, 16); store<u64>(st, SHA384_H3, 24);
    store<u64>(st, SHA384_H4, 32); store<u64>(st, SHA384_H5, 40); store<u64>(st, SHA384_H6, 48); store<u64>(st, SHA384_H7, 56);
  } else {
    store<u64>(st, SHA512_H0, 0); store<u64>(st, SHA512_H1, 8); store<u64>(st, SHA512_H2, 16); store<u64>(st, SHA512_H3, 24);
    store<u64>(st, SHA512_H4, 32); store<u64>(st, SHA512_H5, 40); store<u64>(st, SHA512_H6, 48); store<u64>(st, SHA512_H7, 56);
  }
}

/** Absorbs nblocks whole blocks at p into the state st. */
@inline export function shaCompress(alg: i32, st: usize, p: usize, nblocks: usize): void {
  if (alg == ALG_SHA1) sha1Compress(st, p, nblocks);
  else if (alg == ALG_SHA256) sha256Compress(st, p, nblocks);
  else sha512Compress(st, p, nblocks);
}

/** Copies a state (24 bytes covers SHA-1's 20; 32 for SHA-256; 64 for SHA-384/512). */
@inline export function shaStateCopy(alg: i32, dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src, 0), 0);
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u64>(dst, load<u64>(src, 16), 16);
  if (alg != ALG_SHA1) {
    store<u64>(dst, load<u64>(src, 24), 24);
    if (alg > ALG_SHA256) {
      store<u64>(dst, load<u64>(src, 32), 32);
      store<u64>(dst, load<u64>(src, 40), 40);
      store<u64>(dst, load<u64>(src, 48), 48);
      store<u64>(dst, load<u64>(src, 56), 56);
    }
  }
}

/**
 * Writes the first outLen bytes of the big-endian serialisation of state st (the digest, or a
 * truncation of it; outLen <= digest length) to out.
 */
export function shaStateOut(alg: i32, st: usize, out: usize, outLen: usize): void {
  let i: usize = 0;
  if (alg <= ALG_SHA256) {
    for (; i + 4 <= outLen; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(st + i)));
    if (i < outLen) {
      let w = load<u32>(st + i);
      for (; i < outLen; i++) { store<u8>(out + i, <u8>(w >>> 24)); w <<= 8; }
    }
  } else {
    for (; i + 8 <= outLen; i += 8) store<u64>(out + i, bswap<u64>(load<u64>(st + i)));
    if (i < outLen) {
      let w = load<u64>(st + i);
      for (; i < outLen; i++) { store<u8>(out + i, <u8>(w >>> 56)); w <<= 8; }
    }
  }
}

/**
 * Merkle–Damgård padding (FIPS 180-4 §5.1) and the last compression(s). buf holds the final
 * `tail` message bytes (tail < block length) and has a whole block of room; total is the message
 * length in bytes, including everything already absorbed into st. buf is overwritten.
 */
export function shaPadFinish(alg: i32, st: usize, buf: usize, tail: usize, total: u64): void {
  const bl = shaBlockLen(alg);
  const lenField: usize = alg <= ALG_SHA256 ? 8 : 16;
  store<u8>(buf + tail, 0x80);
  tail++;
  if (tail > bl - lenField) {
    zeroSmall(buf + tail, bl - tail);
    shaCompress(alg, st, buf, 1);
    tail = 0;
  }
  zeroSmall(buf + tail, bl - 8 - tail);
  // The bit length: 64 bits for SHA-1/256; the high half of SHA-384/512's 128-bit field is
  // total >> 61 (zeroed above, then set), the low half total << 3.
  if (lenField == 16) store<u64>(buf + bl - 16, bswap<u64>(total >>> 61));
  store<u64>(buf + bl - 8, bswap<u64>(total << 3));
  shaCompress(alg, st, buf, 1);
}

/**
 * An initialised, unfinalised SHA context: magic, algorithm id and buffer count all sane. Every
 * entry point that takes a caller-owned context (it lies in the arena, where the host can write
 * anything) checks this before shaUpdate / shaFinal trust its fields: a buffer count of a block
 * or more would make them copy or pad outside the context.
 */
export function shaCtxLive(ctx: usize): bool {
  const alg = <i32>load<u32>(ctx, SHA_OFF_ALG);
  return load<u32>(ctx, SHA_OFF_MAGIC) == SHA_MAGIC && shaAlgValid(alg) && <usize>load<u32>(ctx, SHA_OFF_BUFFERED) < shaBlockLen(alg);
}

/** shaCtxLive, and the context runs alg. */
export function shaCtxRuns(ctx: usize, alg: i32): bool {
  return shaCtxLive(ctx) && <i32>load<u32>(ctx, SHA_OFF_ALG) == alg;
}

/** Starts a hash of alg (a valid id) in ctx. */
export function shaInit(ctx: usize, alg: i32): void {
  store<u32>(ctx, SHA_MAGIC, SHA_OFF_MAGIC);
  store<u32>(ctx, <u32>alg, SHA_OFF_ALG);
  store<u32>(ctx, 0, SHA_OFF_BUFFERED);
  store<u32>(ctx, 0, 12);
  store<u64>(ctx, 0, SHA_OFF_COUNT);
  store<u64>(ctx, 0, 24);
  shaStateInit(alg, ctx + SHA_OFF_STATE);
}

/**
 * Starts ctx from a precomputed state that has absorbed `absorbed` bytes (a multiple of the block
 * length): HMAC's inner and outer states.
 */
export function shaInitFromState(ctx: usize, alg: i32, st: usize, absorbed: u64): void {
  store<u32>(ctx, SHA_MAGIC, SHA_OFF_MAGIC);
  store<u32>(ctx, <u32>alg, SHA_OFF_ALG);
  store<u32>(ctx, 0, SHA_OFF_BUFFERED);
  store<u64>(ctx, absorbed, SHA_OFF_COUNT);
  shaStateCopy(alg, ctx + SHA_OFF_STATE, st);
}

/** Absorbs n bytes at p. Whole blocks are compressed straight from p; only the tail is copied. */
export function shaUpdate(ctx: usize, p: usize, n: usize): void {
  const alg = <i32>load<u32>(ctx, SHA_OFF_ALG);
  const bl = shaBlockLen(alg);
  const st = ctx + SHA_OFF_STATE;
  const buf = ctx + SHA_OFF_BUF;
  let buffered = <usize>load<u32>(ctx, SHA_OFF_BUFFERED);
  store<u64>(ctx, load<u64>(ctx, SHA_OFF_COUNT) + <u64>n, SHA_OFF_COUNT);
  if (buffered != 0) {
    let take = bl - buffered;
    if (take > n) take = n;
    copySmall(buf + buffered, p, take);
    buffered += take;
    p += take;
    n -= take;
    if (buffered < bl) {
      store<u32>(ctx, <u32>buffered, SHA_OFF_BUFFERED);
      return;
    }
    shaCompress(alg, st, buf, 1);
    buffered = 0;
  }
  const shift: usize = bl == 64 ? 6 : 7;
  const nb = n >>> shift;
  if (nb != 0) {
    shaCompress(alg, st, p, nb);
    p += nb << shift;
    n -= nb << shift;
  }
  if (n != 0) copySmall(buf, p, n);
  store<u32>(ctx, <u32>n, SHA_OFF_BUFFERED);
}

/**
 * Pads and absorbs the last block(s), leaving the final hash value in the context's state (and
 * garbage in its buffer), and marks the context finalised (magic 0). Does not write a digest.
 */
export function shaFinish(ctx: usize): void {
  const alg = <i32>load<u32>(ctx, SHA_OFF_ALG);
  shaPadFinish(alg, ctx + SHA_OFF_STATE, ctx + SHA_OFF_BUF, <usize>load<u32>(ctx, SHA_OFF_BUFFERED), load<u64>(ctx, SHA_OFF_COUNT));
  store<u32>(ctx, 0, SHA_OFF_MAGIC);
}

/**
 * Finishes the hash and writes the full digest (shaDigestLen(alg) bytes) to out. The context is
 * finalised (magic 0): shaInit it again before reuse. The caller wipes it when the message is secret.
 */
export function shaFinal(ctx: usize, out: usize): void {
  shaFinish(ctx);
  const alg = <i32>load<u32>(ctx, SHA_OFF_ALG);
  shaStateOut(alg, ctx + SHA_OFF_STATE, out, shaDigestLen(alg));
}

// A private context for snapshots and one-shot digests. Used only inside shaSnapshot/shaDigest,
// which call nothing else that uses it, and wiped before they return.
const TMP_CTX: usize = memory.data(<i32>SHA_CTX_SIZE, 16);

/**
 * Writes the digest of everything absorbed so far to out; ctx is left unchanged (TLS transcript
 * hashes). out must not overlap ctx.
 */
export function shaSnapshot(ctx: usize, out: usize): void {
  copySmall(TMP_CTX, ctx, SHA_CTX_SIZE);
  shaFinal(TMP_CTX, out);
  zeroSmall(TMP_CTX, SHA_CTX_SIZE);
}

/**
 * One-shot digest of n bytes at p into out (shaDigestLen(alg) bytes). out may overlap the input.
 * Leaves no trace of the message in scratch (HMAC hashes long keys with it).
 */
export function shaDigest(alg: i32, p: usize, n: usize, out: usize): void {
  shaInit(TMP_CTX, alg);
  shaUpdate(TMP_CTX, p, n);
  shaFinal(TMP_CTX, out);
  zeroSmall(TMP_CTX, SHA_CTX_SIZE);
}
