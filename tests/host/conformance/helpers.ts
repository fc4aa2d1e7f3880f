// Shared by the conformance kit's tests: the CLI with captured output, the report schemas, the
// JUnit reader, and deliberately broken core builds.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { conformanceCommand } from "../../../host/cli/conformance.js";
import { REPO_ROOT, TMP_DIR } from "../../helpers/paths.js";
import { parseXml, findAll, type XmlElement } from "./xml.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  files: Map<string, string>;
}

/** Runs `gwsdk conformance ...argv` in-process with captured output; --junit files are captured too. */
export async function cli(argv: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const files = new Map<string, string>();
  const code = await conformanceCommand(argv, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    writeFile: async (p, d) => void files.set(p, d),
  });
  return { code, stdout, stderr, files };
}

let ajv: InstanceType<typeof Ajv2020.default> | undefined;

/** Asserts that doc matches docs/schemas/conformance-<name>.schema.json. */
export function assertSchema(name: string, doc: unknown): void {
  if (!ajv) {
    ajv = new Ajv2020.default({ allErrors: true, strict: true });
    const dir = join(REPO_ROOT, "docs", "schemas");
    for (const f of readdirSync(dir).filter((f) => f.startsWith("conformance-"))) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), "utf8")));
  }
  const v = ajv.getSchema(`https://gwsdk.invalid/schemas/conformance-${name}.schema.json`);
  assert.ok(v, `schema conformance-${name}`);
  assert.ok(v(doc), `conformance-${name}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(doc, null, 1).slice(0, 3000)}`);
}

export interface JunitSummary {
  root: XmlElement;
  tests: number;
  failures: number;
  skipped: number;
  cases: { classname: string; name: string; failure?: { message: string; type: string; body: string }; skipped?: string; systemOut?: string }[];
}

/** Parses JUnit XML strictly and checks that the counts in the attributes match the elements. */
export function readJunit(xml: string): JunitSummary {
  const root = parseXml(xml);
  assert.equal(root.name, "testsuites");
  const suites = root.children.filter((c) => c.name === "testsuite");
  assert.equal(suites.length, root.children.length, "only <testsuite> under <testsuites>");
  const cases: JunitSummary["cases"] = [];
  for (const s of suites) {
    const tcs = s.children.filter((c) => c.name === "testcase");
    const fails = tcs.filter((t) => t.children.some((c) => c.name === "failure")).length;
    const skips = tcs.filter((t) => t.children.some((c) => c.name === "skipped")).length;
    assert.equal(Number(s.attributes.tests), tcs.length, `${s.attributes.name}: tests=`);
    assert.equal(Number(s.attributes.failures), fails, `${s.attributes.name}: failures=`);
    assert.equal(Number(s.attributes.skipped), skips, `${s.attributes.name}: skipped=`);
    assert.ok(s.attributes.name && Number.isFinite(Number(s.attributes.time)));
    for (const t of tcs) {
      assert.ok(t.attributes.classname && t.attributes.name !== undefined && Number.isFinite(Number(t.attributes.time)));
      const f = t.children.find((c) => c.name === "failure");
      const sk = t.children.find((c) => c.name === "skipped");
      const so = t.children.find((c) => c.name === "system-out");
      cases.push({
        classname: t.attributes.classname!,
        name: t.attributes.name!,
        ...(f ? { failure: { message: f.attributes.message ?? "", type: f.attributes.type ?? "", body: f.text } } : {}),
        ...(sk ? { skipped: sk.attributes.message ?? "" } : {}),
        ...(so ? { systemOut: so.text } : {}),
      });
    }
  }
  const all = findAll(root, "testcase");
  assert.equal(Number(root.attributes.tests), all.length);
  return {
    root,
    tests: all.length,
    failures: cases.filter((c) => c.failure).length,
    skipped: cases.filter((c) => c.skipped !== undefined).length,
    cases,
  };
}

/** A fresh private directory under tests/.tmp. */
export function tmpDir(prefix: string): string {
  mkdirSync(TMP_DIR, { recursive: true });
  return mkdtempSync(join(TMP_DIR, `${prefix}-`));
}

/**
 * A copy of `wasm` with one bit flipped in the only occurrence of `pattern` (at `at` within it). Throws
 * when the pattern is absent or not unique, so a change in the build's layout fails the test
 * loudly instead of making it pass vacuously.
 */
export function flipInData(wasm: Uint8Array, pattern: Uint8Array, at: number, mask = 0x01): Uint8Array {
  const buf = Buffer.from(wasm);
  const first = buf.indexOf(pattern);
  assert.ok(first >= 0, `pattern ${Buffer.from(pattern).toString("hex")} not found in the build`);
  assert.equal(buf.indexOf(pattern, first + 1), -1, `pattern ${Buffer.from(pattern).toString("hex")} is not unique in the build`);
  const out = Uint8Array.from(buf);
  out[first + at]! ^= mask;
  assert.ok(WebAssembly.validate(out), "the patched build must stay valid WebAssembly");
  return out;
}

/**
 * Compiles AssemblyScript source (stub runtime, no SIMD) to a wasm module with asc's API. The
 * result is cached in tests/.tmp under a hash of the source and the compiler's version (loading
 * asc takes seconds; the module itself compiles in milliseconds).
 */
export async function compileAs(source: string): Promise<Uint8Array> {
  const ascVersion = (JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", "assemblyscript", "package.json"), "utf8")) as { version: string }).version;
  const key = createHash("sha256").update(ascVersion).update("\0").update(source).digest("hex").slice(0, 24);
  const cached = join(TMP_DIR, `asc-${key}.wasm`);
  if (existsSync(cached)) return new Uint8Array(readFileSync(cached));
  const asc = await import("assemblyscript/asc");
  const r = await asc.compileString(source, { runtime: "stub", optimizeLevel: 1, noAssert: true, initialMemory: 2, maximumMemory: 2 } as never);
  assert.ok(r.binary, `asc failed: ${r.stderr.toString()}`);
  mkdirSync(TMP_DIR, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  writeFileSync(tmp, r.binary!);
  renameSync(tmp, cached);
  return r.binary!;
}

/**
 * A tiny core: the loader's required exports, a passing self-test, AES entry points whose
 * encryption traps (unreachable), and nothing else (no hash, GCM, SRTP or TLS exports).
 */
export const TINY_CORE = `
  export function arena_base(): usize { return 65536; }
  export function arena_end(): usize { return 131072; }
  export function selftest(): i32 { return 0; }
  export function core_abi_version(): i32 { return 1; }
  export function aes_ctx_size(): i32 { return 64; }
  export function aes_key_init(ctx: usize, key: usize, len: usize): i32 { return 0; }
  export function aes_ecb_encrypt(ctx: usize, src: usize, dst: usize, len: usize): i32 { unreachable(); return 0; }
`;
