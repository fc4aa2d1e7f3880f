// Every fuzz target over its committed inputs: the seeds made in code, tests/fuzz/corpus/<target>/
// and tests/fuzz/regressions/<target>/ (each input that once broke a property, kept once fixed).
// So every crash the fuzzer ever found stays a regression test of `npm test`, and the targets' own
// checks are known to pass on valid input (a target that refused its own seeds would prove nothing).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { TARGETS } from "../../fuzz/targets/index.js";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FUZZ_DIR, initialInputs } from "../../fuzz/engine/corpus.js";

after(async () => {
  for (const t of TARGETS) await t.teardown?.();
});

for (const t of TARGETS) {
  test(`fuzz target ${t.name}: seeds, corpus and regressions hold every property`, { timeout: 60_000 }, async () => {
    await t.setup?.({ variant: "simd" });
    const inputs = initialInputs(t);
    assert.ok(inputs.length > 0, `${t.name} has no seed`);
    for (const i of inputs) {
      try {
        const r = t.run(i.data);
        if (r instanceof Promise) await r;
      } catch (e) {
        assert.fail(`${t.name}, ${i.origin}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  });
}

test("every corpus and regression directory names a fuzz target (none is silently skipped)", () => {
  const names = new Set(TARGETS.map((t) => t.name));
  for (const kind of ["corpus", "regressions"]) {
    const dir = join(FUZZ_DIR, kind);
    if (!existsSync(dir)) continue;
    for (const d of readdirSync(dir)) assert.ok(names.has(d), `tests/fuzz/${kind}/${d} belongs to no target`);
  }
});
