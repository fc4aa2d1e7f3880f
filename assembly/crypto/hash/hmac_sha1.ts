// HMAC-SHA1 (RFC 2104) specialised for short messages under a long-lived key: SRTP/SRTCP tags.
//
// The generic HMAC (hmac.ts) serves four hashes through one code path: its per-message overhead
// (state copies through the SHA context layout, algorithm dispatch, generic padding) measured about
// half the cost of the four compressions of a 176-byte SRTP tag. Here everything is fixed for
// SHA-1: the key context holds just the two chaining states, the message's whole blocks are
// compressed straight from where they lie, the last block is padded in static scratch, and the
// outer block's constant part (0x80 ... bit length 672) is stored once in static data.
//
// Key context (HMAC_SHA1_KEY_SIZE = 48 bytes, no pointers, wiped with one fill):
//    0  inner state: SHA-1 state after absorbing K0 ^ ipad (5 x u32, host byte order)
//   20  outer state: SHA-1 state after absorbing K0 ^ opad
//   40  u32 HMAC_SHA1_KEY_MAGIC     44  reserved, zero
//
// Constant time: straight-line compressions; branches depend on the public message and tag
// lengths only. Every scratch byte that held key-dependent data is zeroed before return.
import { ALG_SHA1 } from "./sha";
import { sha1CompressKeep, sha1WipeSchedule } from "./sha1_compress";
import { HMAC_KEY_OFF_INNER, HMAC_KEY_OFF_OUTER, HMAC_KEY_SIZE, hmacKeyInit } from "./hmac";
import { copySmall, zeroSmall } from "./bytes";
import { bswap16, bswap32, bswap64 } from "../be";

export const HMAC_SHA1_KEY_SIZE: usize = 48;
/** "HS1\x01". */
export const HMAC_SHA1_KEY_MAGIC: u32 = 0x01315348;
const OFF_INNER: usize = 0;
const OFF_OUTER: usize = 20;
const OFF_MAGIC: usize = 40;

// Scratch: the running state (ST), the padded last block(s) of the inner hash (BLK), the generic
// key context used while a key is set up (KEYTMP). OUTER_BLOCK is the outer hash's only block:
// bytes 0..19 receive the inner digest (zeroed again before return), the rest never changes:
// 0x80 at 20, then zeros, then the bit length of ipad-block || digest = (64 + 20) * 8 = 672 = 0x02a0.
// BLK is all zero between calls (zeroed before return), so padding it needs no fill.
const ST: usize = memory.data(32, 16);
const BLK: usize = memory.data(128, 16);
const KEYTMP: usize = memory.data(<i32>HMAC_KEY_SIZE, 16);
const OUTER_BLOCK: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0xa0,
], 16);

/** Sets up a key context from keyLen bytes at key (any length; longer than 64 is hashed first). */
export function hmacSha1KeyInit(kctx: usize, key: usize, keyLen: usize): void {
  hmacKeyInit(KEYTMP, ALG_SHA1, key, keyLen);
  copySmall(kctx + OFF_INNER, KEYTMP + HMAC_KEY_OFF_INNER, 20);
  copySmall(kctx + OFF_OUTER, KEYTMP + HMAC_KEY_OFF_OUTER, 20);
  store<u32>(kctx, HMAC_SHA1_KEY_MAGIC, OFF_MAGIC);
  store<u32>(kctx, 0, OFF_MAGIC + 4);
  zeroSmall(KEYTMP, HMAC_KEY_SIZE);
}

/** True when kctx holds a key set up by hmacSha1KeyInit. */
@inline export function hmacSha1KeyReady(kctx: usize): bool {
  return load<u32>(kctx, OFF_MAGIC) == HMAC_SHA1_KEY_MAGIC;
}

@inline function copyState(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u32>(dst, load<u32>(src, 16), 16);
}

/**
 * Finishes the inner hash of a message whose whole blocks (if any) were already compressed into
 * ST: pads the `tail` bytes at p (< 64) with the total length n + 64 (ipad block included), then
 * runs the outer hash from kctx's outer state and writes outLen (1..20) tag bytes to out.
 */
@inline function finish(kctx: usize, p: usize, tail: usize, n: usize, out: usize, outLen: usize): void {
  copySmall(BLK, p, tail);
  store<u8>(BLK + tail, 0x80);
  const total: usize = tail < 56 ? 64 : 128;
  store<u64>(BLK + total - 8, bswap64((<u64>n + 64) << 3));
  sha1CompressKeep(ST, BLK, total >> 6);
  // outer: H((K0 ^ opad) || inner digest)
  store<u32>(OUTER_BLOCK, bswap32(load<u32>(ST, 0)), 0);
  store<u32>(OUTER_BLOCK, bswap32(load<u32>(ST, 4)), 4);
  store<u32>(OUTER_BLOCK, bswap32(load<u32>(ST, 8)), 8);
  store<u32>(OUTER_BLOCK, bswap32(load<u32>(ST, 12)), 12);
  store<u32>(OUTER_BLOCK, bswap32(load<u32>(ST, 16)), 16);
  copyState(ST, kctx + OFF_OUTER);
  sha1CompressKeep(ST, OUTER_BLOCK, 1);
  sha1WipeSchedule();
  // The tag: the state words big-endian, cut to outLen bytes (public). Written last: out may
  // overlap the message.
  let i: usize = 0;
  for (; i + 4 <= outLen; i += 4) store<u32>(out + i, bswap32(load<u32>(ST + i)));
  if (i < outLen) {
    const w = load<u32>(ST + i);
    for (let j: usize = 0; i + j < outLen; j++) store<u8>(out + i + j, <u8>(w >> (24 - 8 * <u32>j)));
  }
  zeroSmall(BLK, total);
  store<u64>(OUTER_BLOCK, 0);
  store<u64>(OUTER_BLOCK, 0, 8);
  store<u32>(OUTER_BLOCK, 0, 16);
  store<u64>(ST, 0);
  store<u64>(ST, 0, 8);
  store<u32>(ST, 0, 16);
}

/**
 * One-shot tag of the n bytes at p: writes outLen (1..20) bytes to out (out may overlap the
 * message: it is written last). 2 + ceil((n + 9) / 64) - 1 compressions, nothing else of note.
 */
export function hmacSha1Compute(kctx: usize, p: usize, n: usize, out: usize, outLen: usize): void {
  copyState(ST, kctx + OFF_INNER);
  const nb = n >> 6;
  if (nb != 0) sha1CompressKeep(ST, p, nb);
  const done = nb << 6;
  finish(kctx, p + done, n - done, n, out, outLen);
}
