// Loads each shipped core build once per test file, so every vector runs against both
// build/core.wasm (SIMD) and build/core-scalar.wasm.
import { loadCore, type Core, type CoreVariant } from "../../host/index.js";

export const VARIANTS: CoreVariant[] = ["simd", "scalar"];

const cache = new Map<CoreVariant, Promise<Core>>();

export function shippedCore(variant: CoreVariant): Promise<Core> {
  let p = cache.get(variant);
  if (!p) {
    p = loadCore({ variant });
    cache.set(variant, p);
  }
  return p;
}
