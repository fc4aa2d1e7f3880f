#!/usr/bin/env node
// gwsdk command-line entry point. Subcommands register in host/cli/commands.ts.
import { isMainThread, workerData } from "node:worker_threads";
import { runCli } from "./commands.js";

// A firmware image's host is one bundled script, which is also its media workers' script
// (host/media/workers/pool.ts): such a worker starts the media worker, not the CLI.
if (!isMainThread && (workerData as { gwsdkMediaWorker?: boolean } | null)?.gwsdkMediaWorker === true) {
  void import("../media/workers/media-worker.js");
} else {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const err = e as { code?: string; message?: string };
      process.stderr.write(`gwsdk: ${err.code ?? "ERR_CLI"}: ${err.message ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
