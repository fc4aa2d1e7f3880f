// Known-answer vector files (tests/vectors/, copied from shared/vectors with their sources).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VECTORS_DIR } from "./paths.js";

export interface VectorFile<C = Record<string, unknown>> {
  source: unknown;
  description?: string;
  cases: C[];
  [extra: string]: unknown;
}

export function loadVectors<C = Record<string, any>>(name: string): VectorFile<C> {
  return JSON.parse(readFileSync(join(VECTORS_DIR, name.endsWith(".json") ? name : `${name}.json`), "utf8")) as VectorFile<C>;
}

export function hex(s: string | undefined | null): Uint8Array {
  if (s === undefined || s === null) return new Uint8Array(0);
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}
