// The front end (host/console/web/, preact + htm) as one script. `npm run build` bundles it with
// esbuild into web/app.bundle.js beside this module (host/console/build-bundle.ts), and firmware images
// carry that file; the console serves it from memory. Where it is missing (a development tree built
// without the step), the console bundles the compiled modules itself at start. No CDN, nothing fetched.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConsoleError } from "./errors.js";

export interface FrontEndBundle {
  js: string;
  /** SHA-256 of the script, hex: the ETag, and the script's name in the page. */
  sha256: string;
  buildMs: number;
}

let cached: Promise<FrontEndBundle> | undefined;

export function frontEndEntry(): string {
  return fileURLToPath(new URL("./web/main.js", import.meta.url));
}

/** The prebuilt bundle written by `npm run build` (and shipped in firmware images). */
export function prebuiltBundlePath(): string {
  return fileURLToPath(new URL("./web/app.bundle.js", import.meta.url));
}

/** Bundles the front end with esbuild and writes it to prebuiltBundlePath(). */
export async function writeFrontEndBundle(): Promise<string> {
  const b = await bundleWithEsbuild();
  const path = prebuiltBundlePath();
  writeFileSync(path, b.js);
  return path;
}

/** Bundles the front end once per process. */
export function frontEndBundle(): Promise<FrontEndBundle> {
  cached ??= build().catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

async function build(): Promise<FrontEndBundle> {
  const pre = prebuiltBundlePath();
  if (existsSync(pre)) {
    const js = readFileSync(pre, "utf8");
    return { js, sha256: createHash("sha256").update(js).digest("hex"), buildMs: 0 };
  }
  return bundleWithEsbuild();
}

async function bundleWithEsbuild(): Promise<FrontEndBundle> {
  const entry = frontEndEntry();
  if (!existsSync(entry)) throw new ConsoleError("ERR_CONSOLE_INTERNAL", `the console front end is not built (${entry} is missing): run npm run build`);
  const t0 = performance.now();
  const esbuild = await import("esbuild");
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: ["chrome100", "firefox100", "safari15"],
    minify: true,
    legalComments: "eof",
    logLevel: "silent",
  });
  const js = r.outputFiles[0]!.text;
  return { js, sha256: createHash("sha256").update(js).digest("hex"), buildMs: performance.now() - t0 };
}
