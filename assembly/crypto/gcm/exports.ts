// ABI exports of the gcm module (snake_case, subsystem prefix). See docs/abi.md.
import { OK, ERR_BOUNDS } from "../../abi/status";
import { inArena } from "../../abi/arena";
import { wipe } from "../../util/ct";
import {
  GHASH_KEY_SIZE, GHASH_STATE_SIZE, GHASH_WORK_SIZE, GHASH_POWERS, ghashKeyInit, ghashStateFromBytes,
  ghashStateToBytes, ghashUpdate,
} from "./ghash";

// Work area for ghash_run (static data below the arena): key block, state, scratch. Used only
// during one call (the core is single-threaded and calls out to nothing) and wiped before it returns,
// since it holds material derived from H.
const GHASH_RUN_WORK_SIZE: usize = GHASH_KEY_SIZE + GHASH_STATE_SIZE + GHASH_WORK_SIZE;
const GHASH_RUN_WORK: usize = memory.data(<i32>GHASH_RUN_WORK_SIZE, 16);

/**
 * ghash_run(h16, y16, data, len): y ← GHASH_H update of y with data, zero padded to a block
 * multiple (BearSSL br_ghash semantics). h and y are 16 bytes in GCM order. Returns 0 or ERR_BOUNDS.
 */
export function ghash_run(h: usize, y: usize, data: usize, len: usize): i32 {
  if (!inArena(h, 16) || !inArena(y, 16) || !inArena(data, len)) return ERR_BOUNDS;
  const key = GHASH_RUN_WORK;
  const state = GHASH_RUN_WORK + GHASH_KEY_SIZE;
  // Precomputing H^2..H^4 costs about three block multiplies: worth it from eight blocks on.
  ghashKeyInit(key, h, len >= 128 ? GHASH_POWERS : 1, state + GHASH_STATE_SIZE);
  ghashStateFromBytes(state, y);
  ghashUpdate(key, state, data, len);
  ghashStateToBytes(state, y);
  wipe(GHASH_RUN_WORK, GHASH_RUN_WORK_SIZE);
  return OK;
}
