// npm run build step: bundle the console's front end once, so the console (and firmware images,
// which do not carry esbuild) serve a prebuilt script.
import { writeFrontEndBundle } from "./bundle.js";

writeFrontEndBundle().then(
  (p) => process.stdout.write(`console front end: ${p}\n`),
  (e: unknown) => {
    process.stderr.write(`console front end bundle failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
