// The `gwsdk image ... --json` reports against their schemas (docs/schemas/image-*.schema.json),
// compiled with Ajv in strict mode. Tests pass every real output they parse through jsonOf(), and
// image.test.ts checks at the end that each schema saw at least one document.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { REPO_ROOT } from "../../helpers/paths.js";

export type ImageReport = "image-build" | "image-verify" | "image-flash" | "image-boot" | "image-status" | "image-install-trust";

const SCHEMA_DIR = join(REPO_ROOT, "docs", "schemas");
let ajv: InstanceType<typeof Ajv2020.default> | undefined;
const seen = new Map<string, number>();

function compiler(): InstanceType<typeof Ajv2020.default> {
  if (!ajv) {
    ajv = new Ajv2020.default({ allErrors: true, strict: true });
    for (const f of imageSchemaFiles()) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, f), "utf8")));
  }
  return ajv;
}

export function imageSchemaFiles(): string[] {
  return readdirSync(SCHEMA_DIR).filter((f) => f.startsWith("image-") && f.endsWith(".schema.json"));
}

/** Asserts that doc is a valid `schema` report. */
export function assertImageReport(schema: ImageReport, doc: unknown): void {
  const a = compiler();
  const v = a.getSchema(`https://gwsdk.invalid/schemas/${schema}.schema.json`);
  assert.ok(v, `schema ${schema}`);
  assert.ok(v(doc), `${schema}: ${a.errorsText(v.errors)}\n${JSON.stringify(doc, null, 1).slice(0, 2000)}`);
  seen.set(schema, (seen.get(schema) ?? 0) + 1);
}

/** Parses a command's --json stdout and validates it against `schema`. */
export function jsonOf<T = Record<string, unknown>>(schema: ImageReport, stdout: string): T {
  const doc = JSON.parse(stdout) as unknown;
  assertImageReport(schema, doc);
  return doc as T;
}

/** Reports validated so far in this process, per schema. */
export function reportsSeen(): ReadonlyMap<string, number> {
  return seen;
}
