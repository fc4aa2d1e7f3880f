// npm run bench: every benchmark, our figure beside the peer's in the same run, with the ratio.
// Each family contributes a module under bench/ that exports `run(ctx)`; add it to SUITES.
// Usage: node dist/bench/main.js [--json] [suite-name...]
import { BenchContext } from "./harness.js";

interface Suite {
  name: string;
  load: () => Promise<{ run: (ctx: BenchContext) => Promise<void> }>;
}

const SUITES: Suite[] = [
  { name: "crypto", load: () => import("./crypto.js") },
  { name: "tls-record", load: () => import("./tls-record.js") },
  { name: "srtp", load: () => import("./srtp.js") },
  { name: "tls-handshake", load: () => import("./tls-handshake.js") },
  { name: "timing", load: () => import("./timing.js") },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const only = args.filter((a) => !a.startsWith("--"));
  const ctx = new BenchContext({ json });
  for (const s of SUITES) {
    if (only.length && !only.includes(s.name)) continue;
    const m = await s.load();
    await m.run(ctx);
  }
  ctx.finish();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
