// docs/gwsdk_core.h must list every export of the shipped builds with its exact signature, so a C host
// (the "constrained" board) can rely on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { shippedCorePath } from "../../../host/index.js";
import { currentHeader, HEADER_PATH } from "../../helpers/c-header.js";

test("docs/gwsdk_core.h matches the builds (run `npm run gen:c-header` after changing an export)", () => {
  assert.equal(readFileSync(HEADER_PATH, "utf8"), currentHeader());
});

test("every function export of both release builds is declared in the header", () => {
  const header = readFileSync(HEADER_PATH, "utf8");
  for (const v of ["simd", "scalar"] as const) {
    const mod = new WebAssembly.Module(readFileSync(shippedCorePath(v)));
    for (const e of WebAssembly.Module.exports(mod)) {
      if (e.kind !== "function") continue;
      assert.match(header, new RegExp(`\\b${e.name}\\(`), `${v}: ${e.name} missing from the header`);
    }
  }
});

test("the header compiles as C", { skip: process.env.GWSDK_SKIP_CC === "1" }, async () => {
  const { spawnSync } = await import("node:child_process");
  const cc = spawnSync("cc", ["--version"], { stdio: "ignore" });
  if (cc.status !== 0) {
    if (process.env.GWSDK_REQUIRE_SYSTEM_SUITES === "1") assert.fail("no C compiler: apt-get install -y build-essential");
    return;
  }
  const r = spawnSync("cc", ["-std=c99", "-Wall", "-Werror", "-fsyntax-only", "-x", "c", HEADER_PATH], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});
