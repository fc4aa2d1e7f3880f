// ABI exports of the aes module (snake_case, subsystem prefix). See docs/abi.md "AES".
// Every export checks every (pointer, length) against the arena and refuses partial overlaps
// before touching memory; on failure nothing is written.
import { OK, ERR_BOUNDS, ERR_ARG, ERR_KEY_LENGTH, ERR_STATE, ERR_LIMIT } from "../../abi/status";
import { inArena, overlaps } from "../../abi/arena";
import {
  AES_CTX_SIZE, CTR_MODE_128, CTR_MODE_CM, aesCtxSize, aesKeyInit, aesEcbEncrypt, aesCtrXorBuffered, aesRounds,
} from "./aes";

// Counter-mode stream state (AES_CTR_STATE_SIZE bytes, no pointers):
//   0   16  counter block for the next keystream block (big-endian counter as the mode defines)
//   16  16  keystream block being consumed (zero when empty)
//   32  u32 bytes of that block already used (16 = none left)
//   36  u32 mode + 1 (1 = CTR128, 2 = CTR32, 3 = AES-CM); 0 = not initialised
//   40  u32 AES-CM only: keystream blocks still allowed before the 16-bit counter would wrap
//   44  u32 reserved, zero
const AES_CTR_STATE_SIZE: usize = 48;
const ST_BUF: usize = 16;
const ST_POS: usize = 32;
const ST_MODE: usize = 36;
const ST_LEFT: usize = 40;

@inline function validRounds(r: i32): bool {
  return r == 10 || r == 12 || r == 14;
}

/** Bytes of an AES key context in this build (1936 SIMD, 976 scalar). */
export function aes_ctx_size(): i32 {
  return <i32>AES_CTX_SIZE;
}

/** Expands a 16/24/32-byte key into ctx. 0, ERR_KEY_LENGTH, ERR_BOUNDS, or ERR_ARG (key inside ctx). */
export function aes_key_init(ctx: usize, key: usize, key_len: i32): i32 {
  if (!inArena(ctx, AES_CTX_SIZE)) return ERR_BOUNDS;
  if (key_len != 16 && key_len != 24 && key_len != 32) return ERR_KEY_LENGTH;
  if (!inArena(key, <usize>key_len)) return ERR_BOUNDS;
  if (overlaps(ctx, AES_CTX_SIZE, key, <usize>key_len)) return ERR_ARG;
  const r = aesKeyInit(ctx, key, key_len);
  // The internal aesKeyInit writes only aesCtxSize(key_len) bytes; an ABI context is documented
  // with its unused space zero.
  const used = aesCtxSize(key_len);
  memory.fill(ctx + used, 0, AES_CTX_SIZE - used);
  return r;
}

/**
 * ECB-encrypts len bytes (a multiple of 16) from src to dst; returns len. src == dst allowed;
 * partial overlap, or src/dst overlapping ctx, is ERR_ARG; an uninitialised ctx is ERR_STATE.
 */
export function aes_ecb_encrypt(ctx: usize, src: usize, dst: usize, len: usize): i32 {
  if (!inArena(ctx, AES_CTX_SIZE) || !inArena(src, len) || !inArena(dst, len)) return ERR_BOUNDS;
  if ((len & 15) != 0 || len > <usize>i32.MAX_VALUE) return ERR_ARG;
  if (len != 0) {
    if (src != dst && overlaps(src, len, dst, len)) return ERR_ARG;
    if (overlaps(dst, len, ctx, AES_CTX_SIZE) || overlaps(src, len, ctx, AES_CTX_SIZE)) return ERR_ARG;
  }
  if (!validRounds(aesRounds(ctx))) return ERR_STATE;
  aesEcbEncrypt(ctx, src, dst, len >> 4);
  return <i32>len;
}

/** Bytes of a counter-mode stream state (48). */
export function aes_ctr_state_size(): i32 {
  return <i32>AES_CTR_STATE_SIZE;
}

/**
 * Starts a keystream at the 16-byte counter block iv16 in mode 0 (CTR128), 1 (CTR32) or 2 (AES-CM).
 * Returns 0, ERR_BOUNDS, or ERR_ARG (bad mode).
 */
export function aes_ctr_init(state: usize, iv16: usize, mode: i32): i32 {
  if (!inArena(state, AES_CTR_STATE_SIZE) || !inArena(iv16, 16)) return ERR_BOUNDS;
  if (mode < CTR_MODE_128 || mode > CTR_MODE_CM) return ERR_ARG;
  const a = load<u64>(iv16);
  const b = load<u64>(iv16, 8); // read before writing: iv16 may lie inside state
  store<u64>(state, a);
  store<u64>(state, b, 8);
  store<u64>(state + ST_BUF, 0);
  store<u64>(state + ST_BUF, 0, 8);
  store<u32>(state + ST_POS, 16);
  store<u32>(state + ST_MODE, <u32>(mode + 1));
  // AES-CM: the block index lives in the low 16 bits; starting from their value in the IV, blocks
  // up to index 0xffff may be used (2^16 blocks when the IV's low 16 bits are zero, as in SRTP).
  const low16 = (<u32>load<u8>(iv16 + 14) << 8) | <u32>load<u8>(iv16 + 15);
  store<u32>(state + ST_LEFT, mode == CTR_MODE_CM ? 0x10000 - low16 : 0);
  store<u32>(state, 0, 44);
  return OK;
}

/**
 * XORs the keystream continuing from state into dst = src ^ KS for len bytes; returns len.
 * ERR_LIMIT (nothing written, state unchanged) when AES-CM would need a block past the 16-bit
 * counter; ERR_STATE for an uninitialised ctx or state; ERR_ARG for partial overlap of src/dst,
 * or src/dst overlapping ctx or state; ERR_BOUNDS.
 */
export function aes_ctr_run(ctx: usize, state: usize, src: usize, dst: usize, len: usize): i32 {
  if (!inArena(ctx, AES_CTX_SIZE) || !inArena(state, AES_CTR_STATE_SIZE)) return ERR_BOUNDS;
  if (!inArena(src, len) || !inArena(dst, len)) return ERR_BOUNDS;
  if (len > <usize>i32.MAX_VALUE) return ERR_ARG;
  if (overlaps(ctx, AES_CTX_SIZE, state, AES_CTR_STATE_SIZE)) return ERR_ARG;
  if (len != 0) {
    if (src != dst && overlaps(src, len, dst, len)) return ERR_ARG;
    if (overlaps(dst, len, ctx, AES_CTX_SIZE) || overlaps(dst, len, state, AES_CTR_STATE_SIZE)) return ERR_ARG;
    if (overlaps(src, len, ctx, AES_CTX_SIZE) || overlaps(src, len, state, AES_CTR_STATE_SIZE)) return ERR_ARG;
  }
  if (!validRounds(aesRounds(ctx))) return ERR_STATE;
  const tag = load<u32>(state + ST_MODE);
  let pos = <usize>load<u32>(state + ST_POS);
  const left = load<u32>(state + ST_LEFT);
  if (tag < 1 || tag > 3 || pos > 16 || left > 0x10000) return ERR_STATE;
  const mode = <i32>tag - 1;

  // blocks of fresh keystream this call needs (public: depends on lengths only)
  const avail: usize = 16 - pos;
  const need: usize = len > avail ? (len - avail + 15) >> 4 : 0;
  if (mode == CTR_MODE_CM && need > <usize>left) return ERR_LIMIT;

  // 1. the rest of the buffered keystream block
  const use = len < avail ? len : avail;
  const buf = state + ST_BUF;
  for (let i: usize = 0; i < use; i++) {
    store<u8>(dst + i, load<u8>(src + i) ^ load<u8>(buf + pos + i));
  }
  pos += use;
  // 2. fresh blocks; a partial last block leaves its keystream in the buffer
  const rest = len - use;
  if (rest > 0) {
    aesCtrXorBuffered(ctx, state, src + use, dst + use, rest, mode, buf);
    pos = (rest & 15) == 0 ? 16 : rest & 15;
  }
  if (pos == 16) {
    store<u64>(buf, 0);
    store<u64>(buf, 0, 8);
  }
  store<u32>(state + ST_POS, <u32>pos);
  if (mode == CTR_MODE_CM) store<u32>(state + ST_LEFT, left - <u32>need);
  return <i32>len;
}
