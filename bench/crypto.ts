// Crypto primitive benchmarks: AES-CTR, AES-GCM, SHA-1, HMAC-SHA1, SHA-256 vs Node's crypto.
// Each family adds its rows in its own function below.
import type { BenchContext } from "./harness.js";

export async function run(ctx: BenchContext): Promise<void> {
  ctx.section("crypto", "crypto primitives (MB/s; ours vs node:crypto)");
}
