// The core must run outside JavaScript: run its power-on self-test under wabt's wasm-interp, a
// non-JS WebAssembly interpreter from Debian (apt-get install -y wabt).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { shippedCorePath } from "../../../host/index.js";
import { requireCommand } from "../../helpers/system.js";

const wabt = requireCommand("wasm-interp", ["--version"], "wabt");

function runAllExports(file: string, extra: string[] = []): Map<string, string> {
  // --run-all-exports calls every export that takes no arguments and prints "name() => type:value".
  const r = spawnSync("wasm-interp", [file, "--run-all-exports", ...extra], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `wasm-interp failed: ${r.stderr}`);
  const out = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const m = /^(\w+)\(\) => (?:i32:)?(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

test("scalar core: the self-test passes under wasm-interp", { skip: wabt.skip }, () => {
  const r = runAllExports(shippedCorePath("scalar"));
  assert.equal(r.get("core_simd"), "0");
  assert.equal(r.get("selftest"), "0", `selftest returned ${r.get("selftest")}; failed id ${r.get("selftest_failed")}`);
});

test("SIMD core: the self-test passes under wasm-interp", { skip: wabt.skip }, () => {
  const r = runAllExports(shippedCorePath("simd"));
  assert.equal(r.get("core_simd"), "1");
  assert.equal(r.get("selftest"), "0", `selftest returned ${r.get("selftest")}; failed id ${r.get("selftest_failed")}`);
});
