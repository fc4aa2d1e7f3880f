#!/usr/bin/env node
// npm run test:hardening: the long hardening suites (power cuts, full disk, faults, load), each file
// in its own process, one after the other (they measure time and memory, and must not compete).
// Every suite is bounded and stops by itself; durations come from the environment (docs/hardening.md):
//   GWSDK_HARDENING_POWER_CUTS   power cuts per loop (default 40)
//   GWSDK_HARDENING_LOAD_CALLS / _LOAD_SECONDS   concurrent calls / how long they run (1000 / 60)
//   GWSDK_HARDENING_MTLS_RATE / _MTLS_SECONDS    connection attempts per second / how long (200 / 30)
// Usage: node tests/hardening/run.mjs [filter-substring...]
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const root = new URL("../..", import.meta.url).pathname;
const dir = join(root, "dist", "tests", "hardening");
const filters = process.argv.slice(2);

let files;
try {
  files = readdirSync(dir).filter((n) => n.endsWith(".test.js")).sort().map((n) => join(dir, n));
} catch {
  console.error(`no compiled hardening suites in ${dir}: run "npm run build" first`);
  process.exit(1);
}
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error("no hardening suite matched");
  process.exit(1);
}
const results = [];
for (const f of files) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", f], { stdio: "inherit", cwd: root });
  results.push({ file: f.slice(dir.length + 1), status: r.status ?? 1, seconds: (Date.now() - t0) / 1000 });
}
console.log("\nhardening suites:");
for (const r of results) console.log(`  ${r.status === 0 ? "ok  " : "FAIL"} ${r.file.padEnd(28)} ${r.seconds.toFixed(0)} s`);
process.exit(results.some((r) => r.status !== 0) ? 1 : 0);
