// Typed wrappers over the core's crypto primitives. Each family lives in its own file.
import type { Core } from "../load-core.js";

export class CoreCrypto {
  constructor(readonly core: Core) {}

  /** Constant-time equality inside the core. */
  ctEqual(a: Uint8Array, b: Uint8Array): boolean {
    if (a.length !== b.length) return false;
    return this.core.withBlocks([a.length, b.length], (pa, pb) => {
      this.core.u8.set(a, pa!);
      this.core.u8.set(b, pb!);
      return this.core.call("ct_equal", [pa!, pb!, a.length]) === 1;
    });
  }
}
