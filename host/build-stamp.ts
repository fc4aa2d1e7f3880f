// Build step (`npm run build:host`, after tsc): writes dist/host/build-info.js with the date of this
// build, over the defaults tsc compiled from host/build-info.ts. The date is the start (00:00 UTC) of
// the build day, from SOURCE_DATE_EPOCH when set (reproducible builds), else from the clock.
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BuildInfo } from "./build-info.js";

export function buildInfoFor(env: NodeJS.ProcessEnv = process.env, now = new Date()): BuildInfo {
  let when = now;
  let source: BuildInfo["source"] = "clock";
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== "") {
    if (!/^\d{1,12}$/.test(epoch)) throw new Error(`SOURCE_DATE_EPOCH must be seconds since 1970, not ${JSON.stringify(epoch)}`);
    when = new Date(Number(epoch) * 1000);
    source = "SOURCE_DATE_EPOCH";
  }
  const day = new Date(Date.UTC(when.getUTCFullYear(), when.getUTCMonth(), when.getUTCDate()));
  return { buildDate: day.toISOString(), stamped: true, source };
}

export function writeBuildInfo(info: BuildInfo): string {
  const path = fileURLToPath(new URL("./build-info.js", import.meta.url));
  writeFileSync(
    path,
    "// Written by the build (host/build-stamp.ts); the committed defaults are in host/build-info.ts.\n" +
      `export const BUILD_INFO = Object.freeze(${JSON.stringify(info)});\n`,
  );
  // tsc's source map describes the defaults, not this file.
  rmSync(`${path}.map`, { force: true });
  return path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const info = buildInfoFor();
  const path = writeBuildInfo(info);
  process.stdout.write(`build info: ${path} (build date ${info.buildDate}, from ${info.source})\n`);
}
