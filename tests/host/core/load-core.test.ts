import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadCore, CoreError, shippedCorePath } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";

test("the default variant is SIMD on a runtime that validates it", async () => {
  const core = await loadCore();
  assert.equal(core.variant, "simd");
  assert.equal(core.fn("core_simd")(), 1);
});

for (const variant of VARIANTS) {
  test(`${variant}: loads, passes its self-test, and reports its build`, async () => {
    const core = await shippedCore(variant);
    assert.equal(core.fn("core_simd")(), variant === "simd" ? 1 : 0);
    assert.equal(core.fn("selftest")(), 0);
    assert.ok(core.arena.base >= 1024 && core.arena.base % 64 === 0);
    assert.equal(core.arena.end, core.memory.buffer.byteLength);
  });

  test(`${variant}: imports nothing but env.abort`, () => {
    const mod = new WebAssembly.Module(readFileSync(shippedCorePath(variant)));
    const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
    assert.ok(imports.every((i) => i === "env.abort"), `unexpected imports: ${imports.join(", ")}`);
    const mem = WebAssembly.Module.exports(mod).find((e) => e.name === "memory");
    assert.ok(mem, "memory is exported");
  });

  test(`${variant}: bad pointers give ERR_BOUNDS, never a trap`, async () => {
    const core = await shippedCore(variant);
    const end = core.arena.end;
    assert.equal(core.fn("ct_equal")(0, 16, 4), -1, "pointer into static data");
    assert.equal(core.fn("ct_equal")(core.arena.base, end - 2, 4), -1, "range past the end");
    assert.equal(core.fn("wipe_bytes")(end, 1), -1);
    assert.equal(core.fn("wipe_bytes")(core.arena.base, 0xffffffff), -1, "length wraps");
    assert.equal(core.fn("wipe_bytes")(0xfffffff0, 0x20), -1, "pointer + length overflows");
    assert.equal(core.fn("wipe_bytes")(end, 0), 0, "an empty range at the end is fine");
  });
}

test("loadCore refuses a build that is not WebAssembly", async () => {
  await assert.rejects(loadCore({ wasm: new Uint8Array([1, 2, 3]) }), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_LOAD");
});

test("a missing export is ERR_CORE_NOT_IMPLEMENTED", async () => {
  const core = await shippedCore("simd");
  assert.throws(() => core.fn("no_such_export"), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_NOT_IMPLEMENTED");
});

test("ctEqual through the host wrapper", async () => {
  const core = await shippedCore("scalar");
  assert.equal(core.crypto.ctEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3)), true);
  assert.equal(core.crypto.ctEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4)), false);
  assert.equal(core.crypto.ctEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2)), false);
});
