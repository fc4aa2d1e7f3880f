// Counter-mode identifiers and increment masks, shared by both AES implementations and the ABI.
export const CTR_MODE_128: i32 = 0;
export const CTR_MODE_32: i32 = 1;
export const CTR_MODE_CM: i32 = 2;

/** Mask of the counter bits a mode increments, within the low 64 bits of the counter block. */
@inline export function ctrMask(mode: i32): u64 {
  return mode == CTR_MODE_128 ? 0xffffffffffffffff : mode == CTR_MODE_32 ? 0xffffffff : 0xffff;
}

/** Low 64 bits of the counter after `step` increments in a mode (mask = ctrMask(mode)). Branch-free. */
@inline export function ctrStep(lo: u64, step: u64, mask: u64): u64 {
  return (lo & ~mask) | ((lo + step) & mask);
}
