#!/usr/bin/env node
// gwsdk command-line entry point. Subcommands register in host/cli/commands.ts.
import { runCli } from "./commands.js";

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
