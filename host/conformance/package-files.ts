// Files the conformance kit reads from the installed package: the known-answer vector files
// (tests/vectors/, listed in package.json "files") and the package's own version.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GwsdkError } from "../errors.js";
import type { ToolInfo } from "./report.js";

/** The package root: dist/host/conformance/ → three levels up. */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The vectors shipped with the package (dist/host/conformance/ → ../../../tests/vectors). */
export function defaultVectorsDir(): string {
  return join(PACKAGE_ROOT, "tests", "vectors");
}

/** A vector file: `{ source, description, cases, ...extra }` (tests/vectors/README.md). */
export interface VectorFile {
  source: unknown;
  description?: string;
  cases: Record<string, any>[];
  [extra: string]: unknown;
}

export function readVectorFile(dir: string, file: string): VectorFile {
  const path = join(dir, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new GwsdkError("ERR_CONFORMANCE_VECTORS", `cannot read the vector file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new GwsdkError("ERR_CONFORMANCE_VECTORS", `the vector file ${path} is not valid JSON`, { cause: e });
  }
  if (parsed === null || typeof parsed !== "object" || !Array.isArray((parsed as VectorFile).cases)) {
    throw new GwsdkError("ERR_CONFORMANCE_VECTORS", `the vector file ${path} has no "cases" array`);
  }
  return parsed as VectorFile;
}

/** A short human-readable form of a vector file's `source` field. */
export function sourceText(source: unknown): string {
  if (typeof source === "string") return source;
  if (Array.isArray(source)) return source.map(sourceText).join("; ");
  if (source && typeof source === "object") {
    return Object.values(source as Record<string, unknown>)
      .filter((v) => typeof v === "string")
      .join("; ");
  }
  return "";
}

let toolCache: ToolInfo | undefined;

export function toolInfo(): ToolInfo {
  if (!toolCache) {
    let version = "unknown";
    try {
      version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
    } catch {
      // a firmware image may ship dist/ without package.json: the version is then "unknown"
    }
    toolCache = { name: "gwsdk", version, node: process.version };
  }
  return toolCache;
}
