// npm run bench: every benchmark, our figure beside the peers' in the same run, with the ratios.
// Each family contributes a module under bench/ that exports `run(ctx)`; add it to SUITES.
// Usage: node dist/bench/main.js [--json] [--no-write] [suite-name...]
//   --json      machine-readable record on stdout (progress and deltas go to stderr)
//   --no-write  leave docs/bench/ alone (default: write last-run.json, results.md, chart.svg,
//               after printing the change against the previous last-run.json)
import { BenchContext } from "./harness.js";

interface Suite {
  name: string;
  load: () => Promise<{ run: (ctx: BenchContext) => Promise<void> }>;
}

const SUITES: Suite[] = [
  { name: "srtp", load: () => import("./srtp.js") },
  { name: "capacity", load: () => import("./capacity.js") },
  { name: "tls-record", load: () => import("./tls-record.js") },
  { name: "crypto", load: () => import("./crypto.js") },
  { name: "tls-handshake", load: () => import("./tls-handshake.js") },
  { name: "timing", load: () => import("./timing.js") },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const write = !args.includes("--no-write");
  const only = args.filter((a) => !a.startsWith("--"));
  for (const o of only) if (!SUITES.some((s) => s.name === o)) throw new Error(`unknown suite "${o}" (${SUITES.map((s) => s.name).join(", ")})`);
  const ctx = new BenchContext({ json });
  const t0 = performance.now();
  for (const s of SUITES) {
    if (only.length && !only.includes(s.name)) continue;
    const m = await s.load();
    await m.run(ctx);
  }
  ctx.finish(write);
  (json ? process.stderr : process.stdout).write(`bench: ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
