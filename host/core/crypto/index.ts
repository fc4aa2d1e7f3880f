// Typed wrappers over the core's crypto primitives. Each family lives in its own file.
import type { Core } from "../load-core.js";
import { AesApi } from "./aes.js";
import { HashApi } from "./hash.js";
import { GcmApi } from "./gcm.js";

export class CoreCrypto {
  /** AES block and counter modes (SP 800-38A CTR, SRTP AES-CM). */
  readonly aes: AesApi;
  /** SHA-1/256/384/512, HMAC, HKDF, TLS 1.2 PRF. */
  readonly hash: HashApi;
  /** GHASH and AES-GCM. */
  readonly gcm: GcmApi;

  constructor(readonly core: Core) {
    this.aes = new AesApi(core);
    this.hash = new HashApi(core);
    this.gcm = new GcmApi(core);
  }

  /** Constant-time equality inside the core. */
  ctEqual(a: Uint8Array, b: Uint8Array): boolean {
    if (a.length !== b.length) return false;
    return this.core.withBlocks([a.length, b.length], (pa, pb) => {
      this.core.u8.set(a, pa!);
      this.core.u8.set(b, pb!);
      return this.core.call("ct_equal", [pa!, pb!, a.length]) === 1;
    });
  }
}
