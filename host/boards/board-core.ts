// How a board's `core` section loads the core: which build (core.variant / core.simd) and how much
// of its arena the host may use (core.arenaBytes). The gateway loads its core this way.
import type { LoadCoreOptions } from "../core/load-core.js";
import type { Board } from "./board.js";

export function coreOptionsFor(board: Board): LoadCoreOptions {
  const v = board.core.variant;
  // "auto": the SIMD build where the board has SIMD and the runtime validates it, else scalar.
  const variant = v === "auto" ? (board.core.simd ? {} : { variant: "scalar" as const }) : { variant: v };
  return { ...variant, arenaBytes: board.core.arenaBytes };
}
