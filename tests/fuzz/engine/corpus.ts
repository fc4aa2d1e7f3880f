// Where fuzz inputs live:
//   tests/fuzz/corpus/<target>/       seed corpus (committed; `--save-corpus` adds what a run found)
//   tests/fuzz/regressions/<target>/  every input that once broke a property (committed; replayed by
//                                     tests/host/hardening/fuzz-corpus.test.ts in `npm test`)
//   tests/.tmp/fuzz/<target>/         a run's new coverage inputs, crashes and hangs (not committed)
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, TMP_DIR } from "../../helpers/paths.js";
import type { FuzzTarget } from "../targets/types.js";

export const FUZZ_DIR = join(REPO_ROOT, "tests", "fuzz");

export function corpusDir(target: string): string {
  return join(FUZZ_DIR, "corpus", target);
}

export function regressionDir(target: string): string {
  return join(FUZZ_DIR, "regressions", target);
}

export function workDir(target: string): string {
  return join(TMP_DIR, "fuzz", target);
}

/** The files of a directory (sorted by name), or none. Text notes (*.txt, *.md) are skipped. */
export function loadDir(dir: string): { name: string; data: Uint8Array }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.endsWith(".txt") && !n.endsWith(".md") && statSync(join(dir, n)).isFile())
    .sort()
    .map((n) => ({ name: n, data: new Uint8Array(readFileSync(join(dir, n))) }));
}

export function digest(b: Uint8Array): string {
  return createHash("sha1").update(b).digest("hex");
}

/** Writes an input under its SHA-1 (with a prefix) and returns the path; existing files are kept. */
export function saveInput(dir: string, data: Uint8Array, prefix = "", note?: string): string {
  mkdirSync(dir, { recursive: true });
  const name = `${prefix}${digest(data).slice(0, 16)}`;
  const p = join(dir, name);
  if (!existsSync(p)) writeFileSync(p, data);
  if (note !== undefined) writeFileSync(`${p}.txt`, note);
  return p;
}

/** Seeds made in code, then the committed corpus, then the committed regressions; deduplicated, within maxLength. */
export function initialInputs(t: FuzzTarget): { origin: string; data: Uint8Array }[] {
  const out: { origin: string; data: Uint8Array }[] = [];
  const seen = new Set<string>();
  const add = (origin: string, data: Uint8Array) => {
    if (data.length > t.maxLength) return;
    const d = digest(data);
    if (seen.has(d)) return;
    seen.add(d);
    out.push({ origin, data });
  };
  (t.seeds?.() ?? []).forEach((s, i) => add(`seed #${i}`, s));
  for (const f of loadDir(corpusDir(t.name))) add(`corpus/${t.name}/${f.name}`, f.data);
  for (const f of loadDir(regressionDir(t.name))) add(`regressions/${t.name}/${f.name}`, f.data);
  return out;
}
