// AES-CM encryption of one SRTP payload, with the keystream of the next packet computed in the
// AES lanes that would otherwise idle.
//
// The AES here is bitsliced: a batch costs the same for 1 or 8 blocks (4 in the scalar build). A
// 160-byte G.711 payload is 10 blocks: alone, 2 SIMD batches, 6 lanes of the second wasted. AES-CM
// keystream depends only on the key, the salt, the SSRC and the packet index (RFC 3711 §4.1.1),
// not on the data, and a stream's next packet is almost always index + 1 (a sender's always; a
// receiver's unless packets are lost or reordered). So the idle lanes compute the first blocks of
// index + 1's keystream and the session keeps them; the next packet of that SSRC under that key
// uses them and needs fewer blocks of its own. In a steady stream of 10-block packets the batches
// per packet fall from 2 to 1.25 (the cycle 2, 1, 1, 1). A wrong guess costs nothing: the lanes
// were idle, and the kept blocks are simply not used (they are tagged with key slot, SSRC and index).
//
// Security: kept keystream is as secret as the key it came from and lives in the session context
// beside it; it is wiped when a key is installed or removed (keys.ts) and with the session. Whether
// it is used depends on the key slot number, SSRC and index only (public values).
import {
  K_SRTP_SALT, KS_CACHE_BLOCKS, S_KS_BLOCKS, S_KS_COUNT, S_KS_INDEX, S_KS_SLOT, S_KS_SSRC, srtpCipherCtx,
} from "./layout";
import { buildIv, IV_SSRC_OFFSET_CM } from "./iv";
import { INDEX_MAX } from "./index_estimate";
import { CTR_MODE_CM, aesCtrXor, aesCtrXorKeep } from "./primitives";
import { keySlotIndex, keystreamForget } from "./keys";
import { W_IV, W_IV_NEXT } from "./work";
import { bswap16, bswap32, bswap64 } from "../crypto/be";

/**
 * dst = src ^ AES-CM keystream for packet index i of ssrc under key slot k, len bytes (the SRTP
 * payload; src == dst allowed). Uses the kept keystream when it belongs to this packet, and keeps
 * the next packet's first blocks when the last batch has idle lanes.
 */
export function srtpCmCrypt(s: usize, k: usize, ssrc: u32, i: u64, src: usize, dst: usize, len: usize): void {
  const ctx = srtpCipherCtx(s, k);
  buildIv(W_IV, k + K_SRTP_SALT, IV_SSRC_OFFSET_CM, ssrc, i);
  if (KS_CACHE_BLOCKS == 0) {
    // scalar build: nothing is kept (aesCtrXorKeep would keep nothing)
    aesCtrXor(ctx, W_IV, src, dst, len, CTR_MODE_CM);
    store<u64>(W_IV, 0);
    store<u64>(W_IV, 0, 8);
    return;
  }
  const slot = keySlotIndex(s, k);
  const nb = (len + 15) >> 4;
  let first: usize = 0;
  const kept = s + S_KS_BLOCKS;
  if (<u32>load<u8>(s, S_KS_SLOT) == slot + 1 && load<u32>(s, S_KS_SSRC) == ssrc && load<u64>(s, S_KS_INDEX) == i) {
    let c = <usize>load<u8>(s, S_KS_COUNT);
    if (c > nb) c = nb;
    for (let b: usize = 0; b < c; b++) {
      const off = b << 4;
      const rest = len - off;
      const ks = kept + off;
      if (rest >= 16) {
        store<u64>(dst + off, load<u64>(src + off) ^ load<u64>(ks));
        store<u64>(dst + off, load<u64>(src + off, 8) ^ load<u64>(ks, 8), 8);
      } else {
        for (let q: usize = 0; q < rest; q++) store<u8>(dst + off + q, load<u8>(src + off + q) ^ load<u8>(ks + q));
      }
    }
    first = c;
  }
  let keep: usize = 0;
  if (first < nb) {
    // the counter block of this packet's first block not yet done (AES-CM: + block index)
    const lo = bswap16(load<u16>(W_IV, 14)) + <u16>first;
    store<u16>(W_IV, bswap16(lo), 14);
    if (i < INDEX_MAX) {
      buildIv(W_IV_NEXT, k + K_SRTP_SALT, IV_SSRC_OFFSET_CM, ssrc, i + 1);
      keep = aesCtrXorKeep(ctx, W_IV, src + (first << 4), dst + (first << 4), len - (first << 4), CTR_MODE_CM, W_IV_NEXT, kept);
    } else {
      aesCtrXor(ctx, W_IV, src + (first << 4), dst + (first << 4), len - (first << 4), CTR_MODE_CM);
    }
  }
  if (keep != 0) {
    store<u8>(s, <u8>(slot + 1), S_KS_SLOT);
    store<u8>(s, <u8>keep, S_KS_COUNT);
    store<u32>(s, ssrc, S_KS_SSRC);
    store<u64>(s, i + 1, S_KS_INDEX);
  } else if (load<u8>(s, S_KS_SLOT) != 0) {
    keystreamForget(s);
  }
  store<u64>(W_IV, 0);
  store<u64>(W_IV, 0, 8);
  store<u64>(W_IV_NEXT, 0);
  store<u64>(W_IV_NEXT, 0, 8);
}
