// Core-wide exports: arena geometry, version, constant-time compare and wipe, self-test.
import { OK, ERR_BOUNDS, ERR_SELFTEST } from "./status";
import { ARENA_BASE, arenaEnd, inArena } from "./arena";
import { ctEqual, wipe } from "../util/ct";
import { runSelfTest } from "../selftest";

/** ABI version: bumped when an export changes meaning (never for additions). */
const CORE_ABI_VERSION: i32 = 1;

export function core_abi_version(): i32 {
  return CORE_ABI_VERSION;
}

/** 1 when this build was compiled with WebAssembly SIMD, 0 for the scalar build. */
export function core_simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/** First byte the host may use. 64-byte aligned. */
export function arena_base(): usize {
  return ARENA_BASE;
}

/** One past the last byte of the arena (= linear memory size; memory never grows). */
export function arena_end(): usize {
  return arenaEnd();
}

/** Constant-time equality of n bytes: 1 equal, 0 different, ERR_BOUNDS on bad ranges. */
export function ct_equal(a: usize, b: usize, n: usize): i32 {
  if (!inArena(a, n) || !inArena(b, n)) return ERR_BOUNDS;
  return ctEqual(a, b, n);
}

/** Overwrites n bytes at p with zeros. Returns 0, or ERR_BOUNDS. */
export function wipe_bytes(p: usize, n: usize): i32 {
  if (!inArena(p, n)) return ERR_BOUNDS;
  wipe(p, n);
  return OK;
}

/**
 * Power-on self-test: one known answer per primitive and implementation in this build.
 * Returns 0 when all pass, otherwise ERR_SELFTEST; selftest_failed() then names the first failure.
 */
export function selftest(): i32 {
  const r = runSelfTest();
  return r == 0 ? OK : ERR_SELFTEST;
}

/** After a failed selftest(): the id of the first failing known answer (see docs/abi.md), else 0. */
export { selftestFailedId as selftest_failed } from "../selftest";
