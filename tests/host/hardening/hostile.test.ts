// Property-based hostile input (fast-check) for every parser and transform: random bytes, and valid
// inputs (the fuzz targets' seeds and corpus) damaged by a few edits that fast-check can shrink
// (bit flips, byte sets, inserts, deletes, truncation, length fields set to boundary values). The
// properties are the fuzz targets' own (tests/fuzz/targets/): only our typed errors, no trap, no
// growth of core memory or leak of arena blocks, no state change on refused input, round trips.
// Kept to a few seconds in all; `npm run fuzz` goes much further.
import { after, test } from "node:test";
import fc from "fast-check";
import { TARGETS } from "../../fuzz/targets/index.js";
import { initialInputs } from "../../fuzz/engine/corpus.js";
import type { FuzzTarget } from "../../fuzz/targets/types.js";

type Edit =
  | { k: "flip"; pos: number; bit: number }
  | { k: "set"; pos: number; v: number }
  | { k: "insert"; pos: number; bytes: Uint8Array }
  | { k: "delete"; pos: number; n: number }
  | { k: "truncate"; pos: number }
  | { k: "len"; pos: number; v: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ k: fc.constant("flip" as const), pos: fc.nat(), bit: fc.nat(7) }),
  fc.record({ k: fc.constant("set" as const), pos: fc.nat(), v: fc.nat(255) }),
  fc.record({ k: fc.constant("insert" as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ k: fc.constant("delete" as const), pos: fc.nat(), n: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ k: fc.constant("truncate" as const), pos: fc.nat() }),
  fc.record({ k: fc.constant("len" as const), pos: fc.nat(), v: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff) }),
);

/** Applies edits to a copy of b (positions taken modulo the current length). */
export function applyEdits(b: Uint8Array, edits: Edit[]): Uint8Array {
  let x = Uint8Array.from(b);
  for (const e of edits) {
    const at = x.length ? e.pos % x.length : 0;
    switch (e.k) {
      case "flip":
        if (x.length) x[at]! ^= 1 << e.bit;
        break;
      case "set":
        if (x.length) x[at] = e.v;
        break;
      case "insert":
        x = Uint8Array.from([...x.subarray(0, at), ...e.bytes, ...x.subarray(at)]);
        break;
      case "delete":
        x = Uint8Array.from([...x.subarray(0, at), ...x.subarray(at + e.n)]);
        break;
      case "truncate":
        x = x.slice(0, at);
        break;
      case "len":
        if (x.length >= 2) {
          const p = Math.min(at, x.length - 2);
          x[p] = e.v >> 8;
          x[p + 1] = e.v & 0xff;
        }
        break;
    }
  }
  return x;
}

export function hostileInputs(seeds: Uint8Array[], maxLength: number): fc.Arbitrary<Uint8Array> {
  const random = fc.uint8Array({ maxLength: Math.min(maxLength, 600) });
  if (seeds.length === 0) return random;
  const damaged = fc.tuple(fc.nat(seeds.length - 1), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([i, edits]) => applyEdits(seeds[i]!, edits).subarray(0, maxLength));
  return fc.oneof({ arbitrary: random, weight: 1 }, { arbitrary: damaged, weight: 4 });
}

// Runs per target: the slow ones (PKCS#12 key derivation, SDP negotiation, pkijs) get fewer.
const RUNS: Record<string, number> = { "mtls-server": 60, pkcs12: 30, "cert-input": 40, pkcs7: 60, "sdp-offer": 60, "sdp-answer": 60, "sip-framer": 100, x509: 150, crl: 150 };

async function check(t: FuzzTarget): Promise<void> {
  await t.setup?.({ variant: "simd" });
  const seeds = initialInputs(t).map((i) => i.data);
  const numRuns = RUNS[t.name] ?? 200;
  const arb = hostileInputs(seeds, t.maxLength);
  const probe = t.run(seeds[0] ?? new Uint8Array(0));
  if (probe instanceof Promise) {
    await probe;
    await fc.assert(fc.asyncProperty(arb, async (input) => void (await t.run(input))), { numRuns });
  } else {
    fc.assert(fc.property(arb, (input) => void t.run(input)), { numRuns });
  }
}

after(async () => {
  for (const t of TARGETS) await t.teardown?.();
});

for (const t of TARGETS) {
  test(`hostile ${t.name}: ${t.description}`, { timeout: 120_000 }, () => check(t));
}
