// The front end (host/console/web/, preact + htm) as one script, bundled by esbuild from the
// compiled modules beside this file (dist/host/console/web/*.js) when the console starts, and kept in
// memory: no CDN, nothing fetched from elsewhere, nothing written to disk.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
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

/** Bundles the front end once per process. */
export function frontEndBundle(): Promise<FrontEndBundle> {
  cached ??= build().catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

async function build(): Promise<FrontEndBundle> {
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
