// The power-on self-test detects a corrupted build: flipping one bit of a known answer stored in
// the wasm's data makes selftest() fail with that known answer's id (docs/abi.md "AES"), and
// loadCore() refuses the build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadCore, shippedCorePath, CoreError } from "../../../host/index.js";
import { VARIANTS } from "../../helpers/cores.js";

const KNOWN_ANSWERS: { id: number; hex: string; what: string }[] = [
  { id: 101, hex: "69c4e0d86a7b0430d8cdb78070b4c55a", what: "FIPS-197 C.1 ciphertext" },
  { id: 102, hex: "dda97ca4864cdfe06eaf70a0ec0d7191", what: "FIPS-197 C.2 ciphertext" },
  { id: 103, hex: "8ea2b7ca516745bfeafc49904b496089", what: "FIPS-197 C.3 ciphertext" },
  { id: 104, hex: "874d6191b620e3261bef6864990db6ce", what: "SP 800-38A F.5.1 ciphertext" },
  { id: 105, hex: "42831ec2217774244b7221b784d0d49c", what: "GCM Test Case 3 ciphertext (CTR32)" },
  { id: 106, hex: "e03ead0935c95e80e166b16dd92b4eb4", what: "RFC 3711 B.2 keystream (AES-CM)" },
];

/** Flips one bit in every copy of the known answer (another module may store the same bytes; the
 * AES self-test runs first, so the failure id is still the AES one). */
function corrupt(wasm: Uint8Array, hex: string): Uint8Array {
  const needle = Buffer.from(hex, "hex");
  const copy = Buffer.from(Uint8Array.from(wasm));
  let at = copy.indexOf(needle);
  assert.ok(at >= 0, `known answer ${hex} is stored in the build`);
  while (at >= 0) {
    copy[at + 5]! ^= 0x10;
    at = copy.indexOf(needle, at + 1);
  }
  return new Uint8Array(copy);
}

for (const variant of VARIANTS) {
  const wasm = readFileSync(shippedCorePath(variant));
  for (const ka of KNOWN_ANSWERS) {
    test(`${variant}: a flipped bit in the ${ka.what} fails self-test id ${ka.id}`, async () => {
      const bad = corrupt(wasm, ka.hex);
      const core = await loadCore({ wasm: bad, skipSelfTest: true });
      assert.equal(core.fn("selftest")(), -6);
      assert.equal(core.fn("selftest_failed")(), ka.id);
      await assert.rejects(loadCore({ wasm: bad }), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_SELFTEST");
    });
  }
}
