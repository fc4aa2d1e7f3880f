// The documentation stays true: every error code the mTLS layer can produce is listed in docs/api.md
// (TLS section), and every ERR_TLS_* code written in host/tls/ outside the record layer is one of them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { MTLS_ERROR_CODES } from "../../../host/tls/mtls-errors.js";
import { REPO_ROOT } from "../../helpers/paths.js";

const RECORD_LAYER = /^(record|key-schedule|errors\.ts|alerts\.ts)/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return n.endsWith(".ts") && !RECORD_LAYER.test(n) ? [p] : [];
  });
}

test("every mTLS error code is documented in docs/api.md, TLS section", () => {
  const api = readFileSync(join(REPO_ROOT, "docs", "api.md"), "utf8");
  const tls = api.slice(api.indexOf("\n## TLS"));
  assert.ok(tls.length > 100, "docs/api.md has a TLS section");
  for (const code of MTLS_ERROR_CODES) assert.match(tls, new RegExp(`\\| ${code} \\|`), `${code} missing from the error table`);
});

test("every ERR_TLS_* code used by the handshake, socket, server and CLI is in MTLS_ERROR_CODES", () => {
  const files = [...sources(join(REPO_ROOT, "host", "tls")), join(REPO_ROOT, "host", "cli", "tls.ts")];
  const used = new Set<string>();
  for (const f of files) for (const m of readFileSync(f, "utf8").matchAll(/"(ERR_TLS_[A-Z0-9_]+)"/g)) used.add(m[1]!);
  const known = new Set<string>(MTLS_ERROR_CODES);
  const unknown = [...used].filter((c) => !known.has(c));
  assert.deepEqual(unknown, []);
});
