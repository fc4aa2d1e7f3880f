// image build: bundle the host into one script (esbuild), add the board's core build(s), the board
// file, trust anchors and an SBOM, write a manifest with the SHA-256 of every part, and sign it.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import crypto from "node:crypto";
import { loadBoard, type Board } from "../boards/board.js";
import { shippedCorePath } from "../core/load-core.js";
import { encodeImage, ImageError, sha256Hex, type ImageManifest, type ImagePart } from "./format.js";
import { algorithmFor, keyId, loadSigningKey, signManifest } from "./sign.js";

export interface ImageBuildParams {
  board: string;
  /** Path of the PEM signing key (ECDSA P-256 or RSA >= 2048). */
  signKey: string;
  out: string;
  /** Anti-rollback version; default derived from the SDK version (major*1e6 + minor*1e3 + patch). */
  imageVersion?: number;
  /** PEM files of CA certificates to ship as default trust anchors. */
  trust?: string[];
  /** Replace a core build (tests and the conformance kit use this to build deliberately broken images). */
  coreOverride?: { simd?: string; scalar?: string };
}

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export function sdkVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

export function defaultImageVersion(v = sdkVersion()): number {
  const [maj, min, pat] = v.split(/[.+-]/).map((x) => Number.parseInt(x, 10));
  return (maj ?? 0) * 1_000_000 + (min ?? 0) * 1_000 + (pat ?? 0);
}

function variantsFor(board: Board): ("simd" | "scalar")[] {
  if (board.core.variant === "scalar" || !board.core.simd) return ["scalar"];
  if (board.core.variant === "simd") return ["simd"];
  return ["simd", "scalar"];
}

interface SbomComponent {
  type: "library";
  name: string;
  version: string;
  licenses: { license: { id?: string; name?: string } }[];
  purl: string;
}

function sbomFromMetafile(inputs: string[]): { bomFormat: string; specVersion: string; components: SbomComponent[] } {
  const seen = new Map<string, SbomComponent>();
  for (const input of inputs) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!m) continue;
    const name = m[1]!;
    if (seen.has(name)) continue;
    const pj = join(REPO_ROOT, "node_modules", name, "package.json");
    if (!existsSync(pj)) continue;
    const p = JSON.parse(readFileSync(pj, "utf8")) as { version?: string; license?: string | { type?: string } };
    const lic = typeof p.license === "string" ? p.license : p.license?.type ?? "NOASSERTION";
    seen.set(name, {
      type: "library",
      name,
      version: p.version ?? "unknown",
      licenses: [{ license: /^[A-Za-z0-9.-]+$/.test(lic) ? { id: lic } : { name: lic } }],
      purl: `pkg:npm/${name.replace("@", "%40")}@${p.version ?? "unknown"}`,
    });
  }
  return { bomFormat: "CycloneDX", specVersion: "1.5", components: [...seen.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

/** Bundles the CLI into one ESM script; returns it and the packages it contains. */
export async function bundleHost(): Promise<{ script: Uint8Array; inputs: string[] }> {
  const entry = join(REPO_ROOT, "dist", "host", "cli", "main.js");
  if (!existsSync(entry)) throw new ImageError("ERR_IMAGE_BUILD", `the host is not built (${entry}); run "npm run build"`);
  // esbuild is a workstation tool: imported on demand so the bundled device host never needs it.
  const { build: esbuild } = await import("esbuild");
  const r = await esbuild({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    metafile: true,
    minify: false,
    legalComments: "inline",
    // CommonJS dependencies (node-forge, ...) call require(): give the ESM bundle one.
    banner: { js: 'import { createRequire as __gwsdkCreateRequire } from "node:module"; const require = __gwsdkCreateRequire(import.meta.url);' },
    logLevel: "silent",
    // Image building is a workstation task; the device image never runs esbuild.
    external: ["esbuild"],
  });
  return { script: r.outputFiles[0]!.contents, inputs: Object.keys(r.metafile.inputs) };
}

export async function buildImage(p: ImageBuildParams): Promise<{ manifest: ImageManifest; bytes: Uint8Array }> {
  const board = loadBoard(p.board);
  const key = loadSigningKey(p.signKey);
  const algorithm = algorithmFor(key);
  const { script, inputs } = await bundleHost();
  const parts: { name: string; bytes: Uint8Array }[] = [];
  const variants = variantsFor(board);
  for (const v of variants) {
    const src = (v === "simd" ? p.coreOverride?.simd : p.coreOverride?.scalar) ?? shippedCorePath(v);
    if (!existsSync(src)) throw new ImageError("ERR_IMAGE_BUILD", `core build missing: ${src}; run "npm run build"`);
    parts.push({ name: v === "simd" ? "core.wasm" : "core-scalar.wasm", bytes: readFileSync(src) });
  }
  parts.push({ name: "gwsdk.mjs", bytes: script });
  // The console's prebuilt front end: the bundled host serves it from web/app.bundle.js beside itself.
  const consoleBundle = join(REPO_ROOT, "dist", "host", "console", "web", "app.bundle.js");
  if (existsSync(consoleBundle)) parts.push({ name: "web/app.bundle.js", bytes: readFileSync(consoleBundle) });
  parts.push({ name: "board.json", bytes: Buffer.from(JSON.stringify(board, null, 2) + "\n") });
  for (const t of p.trust ?? []) {
    const pem = readFileSync(t, "utf8");
    try {
      new crypto.X509Certificate(pem);
    } catch {
      throw new ImageError("ERR_IMAGE_BUILD", `trust anchor ${t} is not a PEM certificate`);
    }
    const name = `trust/${basename(t).replace(/[^A-Za-z0-9._-]/g, "_").replace(/\.(pem|crt|cer)$/i, "")}.pem`;
    parts.push({ name, bytes: Buffer.from(pem) });
  }
  parts.push({ name: "sbom.json", bytes: Buffer.from(JSON.stringify(sbomFromMetafile(inputs), null, 2) + "\n") });

  let offset = 0;
  const manifestParts: ImagePart[] = parts.map((x) => {
    const part = { name: x.name, offset, size: x.bytes.length, sha256: sha256Hex(x.bytes) };
    offset += x.bytes.length;
    return part;
  });
  const manifest: ImageManifest = {
    format: 1,
    product: "gwsdk",
    sdkVersion: sdkVersion(),
    imageVersion: p.imageVersion ?? defaultImageVersion(),
    boardId: board.id,
    coreVariants: variants,
    createdAt: new Date().toISOString(),
    node: ">=20",
    parts: manifestParts,
    signature: { algorithm, keyId: keyId(key) },
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const signature = signManifest(manifestBytes, key);
  const bytes = encodeImage(manifestBytes, signature, parts.map((x) => x.bytes));
  writeFileSync(p.out, bytes);
  return { manifest, bytes };
}

