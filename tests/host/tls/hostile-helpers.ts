// Shared by the hostile-context tests: overwrite one u32 field of a freshly set-up core context, make
// a call, and check it is refused with ERR_STATE without a trace (nothing outside the context and,
// when `ctx` is given, nothing inside it changed), then that the same call succeeds once the field
// is restored.
import assert from "node:assert/strict";
import type { Core } from "../../../host/index.js";

export const ERR_STATE = -7;

export interface Corruption {
  what: string;
  fresh: () => void;
  at: number;
  value: number;
  calls: [string, () => number][];
  /** The context's range, when the refused call must also leave it byte for byte unchanged. */
  ctx?: [start: number, length: number];
}

export function expectRefusedWhenCorrupt(c: Core, staticBefore: Uint8Array, { what, fresh, at, value, calls, ctx }: Corruption): void {
  const view = new DataView(c.memory.buffer);
  for (const [name, call] of calls) {
    fresh();
    const saved = view.getUint32(at, true);
    view.setUint32(at, value, true);
    const ctxBefore = ctx ? c.u8.slice(ctx[0], ctx[0] + ctx[1]) : undefined;
    assert.equal(call(), ERR_STATE, `${name} with ${what}`);
    if (ctx && ctxBefore) assert.deepEqual(c.u8.slice(ctx[0], ctx[0] + ctx[1]), ctxBefore, `${name} with ${what}: the context is unchanged`);
    assert.deepEqual(c.u8.slice(0, staticBefore.length), staticBefore, `${name} with ${what}: static memory unchanged`);
    view.setUint32(at, saved, true);
    assert.ok(call() >= 0, `${name} after ${what} was restored`);
  }
}
