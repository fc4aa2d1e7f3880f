#!/usr/bin/env node
// Runs every node:test suite compiled from tests/host/ (dist/tests/host/**/*.test.js).
// Usage: node tests/run-host-tests.mjs [filter-substring...]
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
const dir = join(root, "dist", "tests", "host");
const filters = process.argv.slice(2);

function walk(d, out) {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

let files;
try {
  files = walk(dir, []);
} catch {
  console.error(`no compiled host tests in ${dir}: run "npm run build" first`);
  process.exit(1);
}
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error("no host test files matched");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], { stdio: "inherit", cwd: root });
process.exit(r.status ?? 1);
