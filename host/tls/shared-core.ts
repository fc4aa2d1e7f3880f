// One WebAssembly core per process for the TLS connections that are not given their own: loading
// runs the power-on self-test (about 0.1 s), so it is done once, on first use. Every connection
// allocates its half connections and buffers in this core's arena and frees them when it closes.
import { loadCore, type Core } from "../core/load-core.js";

let shared: Promise<Core> | undefined;

export function sharedCore(): Promise<Core> {
  if (!shared) {
    const p = loadCore();
    shared = p;
    p.catch(() => {
      if (shared === p) shared = undefined; // a failed load is retried by the next caller
    });
  }
  return shared;
}
