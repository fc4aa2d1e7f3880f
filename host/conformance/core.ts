// `gwsdk conformance core`: every known-answer vector the SDK ships, plus the power-on self-test,
// against one core build (a shipped one, or the .wasm a vendor built for a board). The core is
// loaded with its self-test skipped, so a build whose self-test fails is still examined and the
// report shows which vectors fail. Report schema: docs/schemas/conformance-core.schema.json.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadCore, shippedCorePath, defaultVariant, type Core, type CoreVariant } from "../core/load-core.js";
import { CORE_SUITES, Mismatch, PropertyFailure, SkipCase, type CaseContext, type CoreSuite, type SuiteCase } from "./core-suites.js";
import { defaultVectorsDir, readVectorFile, sourceText, toolInfo } from "./package-files.js";
import { elapsedMs, firstDifference, bytesOf, worstVerdict, describeDifference, type FirstDifference, type ToolInfo, type Verdict } from "./report.js";

export interface CoreConformanceOptions {
  /** A core build to examine instead of a shipped one (path). */
  wasm?: string;
  /** Or its bytes (the report then names `wasmName`, default "<bytes>"). */
  wasmBytes?: Uint8Array;
  wasmName?: string;
  /** Which shipped build (default: the one loadCore picks on this runtime). Ignored with wasm/wasmBytes. */
  variant?: CoreVariant;
  /** Where the vector files are (default: the package's tests/vectors). */
  vectorsDir?: string;
  /** Only these suite ids (default: all). */
  suites?: readonly string[];
}

export interface CoreCaseResult {
  name: string;
  status: "pass" | "fail" | "notImplemented" | "skip";
  /** Why it failed / was not implemented / was skipped. */
  message?: string;
  /** For a byte mismatch: where expected and actual first differ. */
  difference?: FirstDifference;
  durationMs: number;
}

export interface CoreSuiteResult {
  id: string;
  title: string;
  file: string;
  /** The vector file's `source` (where its values come from). */
  source: string;
  note?: string;
  status: Verdict;
  cases: number;
  passed: number;
  failed: number;
  notImplemented: number;
  /** Cases that do not apply (a policy the SDK does not offer), with the reason in their result. */
  skipped: number;
  /** Exports the suite needs that the core lacks. */
  missingExports: string[];
  durationMs: number;
  results: CoreCaseResult[];
}

export interface CoreSelfTestResult {
  status: Verdict;
  /** The failing known answer's id (docs/abi.md "Self-test failure ids"), when it failed. */
  failedId: number | null;
  /** The module the id belongs to. */
  module: string | null;
  message: string;
  durationMs: number;
}

export interface CoreInfo {
  /** "shipped": build/core*.wasm of this package; "file": a given .wasm. */
  source: "shipped" | "file";
  variant: CoreVariant | "custom";
  path: string | null;
  sha256: string | null;
  bytes: number | null;
  loaded: boolean;
  loadError: { code: string; message: string } | null;
  abiVersion: number | null;
  simd: boolean | null;
  /** Exports of the module (functions only), for "not implemented" diagnosis. */
  exportCount: number | null;
}

export interface CoreConformanceReport {
  kind: "core";
  schemaVersion: 1;
  tool: ToolInfo;
  startedAt: string;
  durationMs: number;
  core: CoreInfo;
  vectorsDir: string;
  selfTest: CoreSelfTestResult;
  suites: CoreSuiteResult[];
  summary: { status: Verdict; suites: number; cases: number; passed: number; failed: number; notImplemented: number; skipped: number };
}

/** Self-test id ranges (docs/abi.md "Self-test failure ids"). */
const SELFTEST_MODULES: readonly [number, number, string][] = [
  [100, 199, "AES and counter modes"],
  [200, 299, "SHA-1/2, HMAC (also the four-lane HMAC-SHA1), HKDF, TLS 1.2 PRF"],
  [300, 399, "GHASH and GCM"],
  [400, 499, "SRTP/SRTCP"],
  [500, 599, "TLS record layer and key schedules"],
];

export function selfTestModule(id: number): string | null {
  for (const [lo, hi, name] of SELFTEST_MODULES) if (id >= lo && id <= hi) return name;
  return null;
}

function sha256(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

function errorText(e: unknown): { code: string; message: string } {
  if (e instanceof WebAssembly.RuntimeError) return { code: "ERR_CORE_TRAP", message: `the core trapped: ${e.message}` };
  const err = e as { code?: unknown; message?: unknown };
  return { code: typeof err?.code === "string" ? err.code : "ERR_UNEXPECTED", message: typeof err?.message === "string" ? err.message : String(e) };
}

const context: CaseContext = {
  bytes(field, expectedHex, actual) {
    const d = firstDifference(field, bytesOf(expectedHex), actual);
    if (d) throw new Mismatch(d);
  },
  expect(ok, message) {
    if (!ok) throw new PropertyFailure(message);
  },
};

function runCase(core: Core, c: SuiteCase): CoreCaseResult {
  const t0 = performance.now();
  try {
    c.run(core, context);
    return { name: c.name, status: "pass", durationMs: elapsedMs(t0) };
  } catch (e) {
    const durationMs = elapsedMs(t0);
    if (e instanceof Mismatch) return { name: c.name, status: "fail", message: describeDifference(e.difference), difference: e.difference, durationMs };
    if (e instanceof PropertyFailure) return { name: c.name, status: "fail", message: e.message, durationMs };
    if (e instanceof SkipCase) return { name: c.name, status: "skip", message: e.message, durationMs };
    const { code, message } = errorText(e);
    if (code === "ERR_CORE_NOT_IMPLEMENTED") return { name: c.name, status: "notImplemented", message, durationMs };
    return { name: c.name, status: "fail", message: `${code}: ${message}`, durationMs };
  }
}

function countsOf(results: CoreCaseResult[]) {
  return {
    cases: results.length,
    passed: results.filter((r) => r.status === "pass").length,
    failed: results.filter((r) => r.status === "fail").length,
    notImplemented: results.filter((r) => r.status === "notImplemented").length,
    skipped: results.filter((r) => r.status === "skip").length,
  };
}

function suiteStatus(results: CoreCaseResult[]): Verdict {
  if (results.length === 0) return "skip";
  return worstVerdict(results.map((r) => r.status));
}

/** Runs one suite against a loaded core (or reports it not run when core is undefined). */
export function runCoreSuite(suite: CoreSuite, core: Core | undefined, vectorsDir: string, notRunReason?: string): CoreSuiteResult {
  const t0 = performance.now();
  const base = { id: suite.id, title: suite.title, file: suite.file, ...(suite.note ? { note: suite.note } : {}) };
  let source = "";
  let list: SuiteCase[];
  let dispose: (() => void) | undefined;
  try {
    const v = readVectorFile(vectorsDir, suite.file);
    source = sourceText(v.source);
    const made = suite.cases(v);
    if (Array.isArray(made)) list = made;
    else {
      list = made.cases;
      dispose = made.dispose;
    }
  } catch (e) {
    const { code, message } = errorText(e);
    const results: CoreCaseResult[] = [{ name: `load ${suite.file}`, status: "fail", message: `${code}: ${message}`, durationMs: 0 }];
    return { ...base, source, status: "fail", ...countsOf(results), missingExports: [], durationMs: elapsedMs(t0), results };
  }
  if (!core) {
    const results = list.map((c): CoreCaseResult => ({ name: c.name, status: "skip", message: notRunReason ?? "not run", durationMs: 0 }));
    return { ...base, source, status: "skip", ...countsOf(results), missingExports: [], durationMs: 0, results };
  }
  const missing = suite.requires.filter((n) => !core.has(n));
  let results: CoreCaseResult[];
  if (missing.length > 0) {
    const shown = missing.slice(0, 3).map((m) => `"${m}"`).join(", ");
    const message = `not implemented: the core has no export ${shown}${missing.length > 3 ? ` (and ${missing.length - 3} more, listed in missingExports)` : ""}`;
    results = list.map((c) => ({ name: c.name, status: "notImplemented", message, durationMs: 0 }));
  } else {
    results = [];
    let blocked: string | undefined;
    try {
      for (const c of list) {
        if (blocked !== undefined) {
          results.push({ name: c.name, status: "fail", message: `not reached: ${blocked}`, durationMs: 0 });
          continue;
        }
        const r = runCase(core, c);
        results.push(r);
        if (suite.sequential && r.status !== "pass") blocked = `an earlier step of this sequence failed ("${c.name}")`;
      }
    } finally {
      try {
        dispose?.();
      } catch {
        // a core that failed mid-sequence may refuse to free its contexts; the report already says why
      }
    }
  }
  return { ...base, source, status: suiteStatus(results), ...countsOf(results), missingExports: missing, durationMs: elapsedMs(t0), results };
}

/** Runs the power-on self-test of a core loaded with skipSelfTest. */
export function runSelfTest(core: Core): CoreSelfTestResult {
  const t0 = performance.now();
  if (!core.has("selftest")) return { status: "notImplemented", failedId: null, module: null, message: 'the core has no export "selftest"', durationMs: 0 };
  try {
    const r = core.fn("selftest")();
    if (r === 0) return { status: "pass", failedId: null, module: null, message: "every power-on known answer matched", durationMs: elapsedMs(t0) };
    const id = core.has("selftest_failed") ? core.fn("selftest_failed")() : null;
    const module = id === null ? null : selfTestModule(id);
    const which = id === null ? "the core does not say which (no selftest_failed export)" : `known answer id ${id}${module ? ` (${module})` : ""}`;
    return { status: "fail", failedId: id, module, message: `the power-on self-test failed (status ${r}): ${which}; the SDK refuses to load this build`, durationMs: elapsedMs(t0) };
  } catch (e) {
    const { code, message } = errorText(e);
    return { status: "fail", failedId: null, module: null, message: `${code}: ${message}`, durationMs: elapsedMs(t0) };
  }
}

function readOptional(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Loads the core (self-test skipped) and describes it; a load failure is reported, not thrown. */
export async function openCore(opts: Pick<CoreConformanceOptions, "wasm" | "wasmBytes" | "wasmName" | "variant">): Promise<{ core: Core | undefined; info: CoreInfo }> {
  let info: CoreInfo;
  let load: () => Promise<Core>;
  if (opts.wasmBytes !== undefined || opts.wasm !== undefined) {
    const path = opts.wasm !== undefined ? resolve(opts.wasm) : null;
    const bytes = opts.wasmBytes ?? (path ? readOptional(path) : undefined);
    info = { source: "file", variant: "custom", path: path ?? opts.wasmName ?? "<bytes>", sha256: bytes ? sha256(bytes) : null, bytes: bytes?.length ?? null, loaded: false, loadError: null, abiVersion: null, simd: null, exportCount: null };
    load = () => loadCore({ wasm: bytes ?? path!, skipSelfTest: true });
  } else {
    const variant = opts.variant ?? defaultVariant();
    const path = shippedCorePath(variant);
    const bytes = readOptional(path);
    info = { source: "shipped", variant, path, sha256: bytes ? sha256(bytes) : null, bytes: bytes?.length ?? null, loaded: false, loadError: null, abiVersion: null, simd: null, exportCount: null };
    load = () => loadCore({ variant, skipSelfTest: true });
  }
  try {
    const core = await load();
    info.loaded = true;
    info.exportCount = Object.values(core.exports).filter((x) => typeof x === "function").length;
    try {
      info.abiVersion = core.has("core_abi_version") ? core.fn("core_abi_version")() : null;
      info.simd = core.has("core_simd") ? core.fn("core_simd")() === 1 : null;
    } catch {
      // a trap here is reported by the suites that use the same code paths
    }
    return { core, info };
  } catch (e) {
    info.loadError = errorText(e);
    return { core: undefined, info };
  }
}

/** Runs `conformance core`. Never throws for a bad core: every problem is in the report. */
export async function runCoreConformance(opts: CoreConformanceOptions = {}): Promise<CoreConformanceReport> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const vectorsDir = resolve(opts.vectorsDir ?? defaultVectorsDir());
  const suites = opts.suites ? CORE_SUITES.filter((s) => opts.suites!.includes(s.id)) : CORE_SUITES;
  const { core, info } = await openCore(opts);
  const selfTest: CoreSelfTestResult = core
    ? runSelfTest(core)
    : { status: "fail", failedId: null, module: null, message: `the core did not load: ${info.loadError!.code}: ${info.loadError!.message}`, durationMs: 0 };
  const reason = core ? undefined : "the core did not load";
  const results = suites.map((s) => runCoreSuite(s, core, vectorsDir, reason));
  const totals = results.reduce(
    (a, r) => ({ cases: a.cases + r.cases, passed: a.passed + r.passed, failed: a.failed + r.failed, notImplemented: a.notImplemented + r.notImplemented, skipped: a.skipped + r.skipped }),
    { cases: 0, passed: 0, failed: 0, notImplemented: 0, skipped: 0 },
  );
  const status = worstVerdict([core ? "pass" : "fail", selfTest.status, ...results.map((r) => r.status)]);
  return {
    kind: "core",
    schemaVersion: 1,
    tool: toolInfo(),
    startedAt,
    durationMs: elapsedMs(t0),
    core: info,
    vectorsDir,
    selfTest,
    suites: results,
    summary: { status, suites: results.length, ...totals },
  };
}

/** The suite ids, for --suite validation and the docs. */
export function coreSuiteIds(): string[] {
  return CORE_SUITES.map((s) => s.id);
}
