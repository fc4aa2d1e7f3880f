// Generates docs/gwsdk_core.h — the C view of every core export — from the debug build's text format
// (which keeps parameter names). tests/host/portability/c-header.test.ts checks the committed header
// matches the shipped builds; `npm run gen:c-header` rewrites it after an export changes.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD_DIR, REPO_ROOT } from "./paths.js";

export interface ExportSig {
  name: string;
  params: { name: string; type: string }[];
  result: string | undefined;
  module: string;
}

const C_TYPE: Record<string, string> = { i32: "uint32_t", i64: "uint64_t", f32: "float", f64: "double" };

export function parseExports(wat: string): ExportSig[] {
  const exportRe = /\(export "([^"]+)" \(func \$([^)\s]+)\)\)/g;
  const funcs = new Map<string, string>();
  for (const line of wat.split("\n")) {
    const m = /^\s*\(func \$(\S+)((?: \(param \$[^)]+\))*)(?: \(result (\w+)\))?/.exec(line);
    if (m) funcs.set(m[1]!, line);
  }
  const out: ExportSig[] = [];
  let m: RegExpExecArray | null;
  while ((m = exportRe.exec(wat))) {
    const [, name, sym] = m;
    const line = funcs.get(sym!);
    if (!line) throw new Error(`no func line for ${sym}`);
    const params = [...line.matchAll(/\(param \$([^ )]+) (\w+)\)/g)].map((p) => ({ name: p[1]!.replace(/[^A-Za-z0-9_]/g, "_"), type: p[2]! }));
    const r = /\(result (\w+)\)/.exec(line.replace(/\(param [^)]*\)/g, ""));
    const module = sym!.replace(/^assembly\//, "").replace(/\/[^/]+$/, "");
    out.push({ name: name!, params, result: r?.[1], module });
  }
  return out;
}

export function generateHeader(exports: ExportSig[]): string {
  const lines: string[] = [
    "/*",
    " * gwsdk_core.h — the WebAssembly core's exports, for a C host (generated; do not edit).",
    " * Regenerate with `npm run gen:c-header` after building; a test checks it matches the builds.",
    " *",
    " * The core is a wasm32 module (build/core.wasm with SIMD, build/core-scalar.wasm without). It imports",
    " * only env.abort(i32 msg, i32 file, i32 line, i32 col) and exports one fixed linear memory named",
    " * \"memory\" (initial = maximum pages). Each prototype below is the signature of the wasm export of the",
    " * same name: wasm i32 maps to uint32_t (pointers are offsets into the core's memory, lengths are",
    " * bytes), i64 to uint64_t. Results are int32_t: >= 0 a length or value, < 0 a status from the table",
    " * in docs/abi.md (GWSDK_ERR_* below). How a host binds an export depends on its runtime: with wasm2c",
    " * each becomes w2c_<module>_<name>(instance, ...), with WAMR/wasm3 it is looked up by name.",
    " * Every pointer/length must lie in [arena_base(), arena_end()); see docs/abi.md for each call.",
    " */",
    "#ifndef GWSDK_CORE_H",
    "#define GWSDK_CORE_H",
    "",
    "#include <stdint.h>",
    "",
    "#ifdef __cplusplus",
    'extern "C" {',
    "#endif",
    "",
  ];
  let lastModule = "";
  for (const e of exports) {
    if (e.module !== lastModule) {
      lines.push(`/* ---- ${e.module} ---- */`);
      lastModule = e.module;
    }
    const ret = e.result === undefined ? "void" : e.result === "i32" ? "int32_t" : e.result === "i64" ? "int64_t" : C_TYPE[e.result]!;
    const args = e.params.length ? e.params.map((p) => `${C_TYPE[p.type] ?? "uint32_t"} ${p.name}`).join(", ") : "void";
    lines.push(`${ret} ${e.name}(${args});`);
  }
  lines.push("", "#ifdef __cplusplus", "}", "#endif", "", "#endif /* GWSDK_CORE_H */", "");
  return lines.join("\n");
}

export function statusDefines(statusTs: string): string[] {
  const out: string[] = [];
  for (const m of statusTs.matchAll(/export const (\w+): i32 = (-?\d+);/g)) out.push(`#define GWSDK_${m[1]} (${m[2]})`);
  return out;
}

export function currentHeader(): string {
  const wat = readFileSync(join(BUILD_DIR, "core-debug.wat"), "utf8");
  const h = generateHeader(parseExports(wat));
  const defs = statusDefines(readFileSync(join(REPO_ROOT, "assembly", "abi", "status.ts"), "utf8"));
  return h.replace('#include <stdint.h>\n', `#include <stdint.h>\n\n/* status codes (assembly/abi/status.ts) */\n${defs.join("\n")}\n`);
}

export const HEADER_PATH = join(REPO_ROOT, "docs", "gwsdk_core.h");

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, "/dist/")) && process.argv.includes("--write")) {
  writeFileSync(HEADER_PATH, currentHeader());
  process.stdout.write(`wrote ${HEADER_PATH}\n`);
}
