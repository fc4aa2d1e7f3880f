// The TLS power-on known answers (assembly/tls/selftest.ts, ids 500..599) run at load and detect a
// wrong answer: each expected value is found in the core's static data, corrupted in a private
// instance, and the self-test must then fail with that known answer's id.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCore, CoreError } from "../../../host/index.js";
import { VARIANTS } from "../../helpers/cores.js";
import { loadVectors, hex } from "../../helpers/vectors.js";

const V = loadVectors("tls13_rfc8448_simple_1rtt");
const finishedRecord = hex(V.cases.find((c) => (c.name as string).includes("client Finished"))!.encrypted_record);
const steps = V.key_schedule as { step: string; output: string }[];
const masterSecret = hex(steps.find((s) => s.step.startsWith('HKDF-Extract (extract secret "master")'))!.output);
const t12Record = hex(loadVectors("tls12_gcm_record_computed").cases[0]!.record);

function find(mem: Uint8Array, end: number, pattern: Uint8Array): number {
  outer: for (let i = 0; i + pattern.length <= end; i++) {
    for (let j = 0; j < pattern.length; j++) if (mem[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

for (const variant of VARIANTS) {
  test(`${variant}: a corrupted TLS known answer makes the power-on self-test fail with its id`, async () => {
    for (const [pattern, id] of [[finishedRecord, 502], [masterSecret, 507], [t12Record, 508]] as const) {
      const core = await loadCore({ variant });
      assert.equal(core.fn("selftest")(), 0);
      const at = find(core.u8, core.arena.base, pattern);
      assert.ok(at > 0, `the known answer for ${id} is in static data`);
      core.u8[at + pattern.length - 1]! ^= 1;
      assert.throws(() => core.selfTest(), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_SELFTEST");
      assert.equal(core.fn("selftest_failed")(), id);
    }
  });
}
