// A secret that lives in the core's memory: traffic secrets, exporter and resumption secrets, the
// TLS 1.2 master secret. The host holds only a handle (arena pointer + length); the bytes are read
// out only by reveal(), for key logs (SSLKEYLOGFILE) and tests. destroy() zeroes and frees them.
import type { Core } from "../core/load-core.js";
import { TlsError } from "./errors.js";
import type { TlsHashName } from "./record-suites.js";

export class TlsSecret {
  readonly core: Core;
  readonly length: number;
  /** The hash the secret belongs to (TLS 1.3 secrets are Hash.length long), when known. */
  readonly hash: TlsHashName | undefined;
  #ptr: number;

  private constructor(core: Core, ptr: number, length: number, hash: TlsHashName | undefined) {
    this.core = core;
    this.#ptr = ptr;
    this.length = length;
    this.hash = hash;
  }

  /** A zeroed secret block of `length` bytes for a core call to fill (internal to the TLS wrappers). */
  static allocate(core: Core, length: number, hash?: TlsHashName): TlsSecret {
    return new TlsSecret(core, core.arena.alloc(length), length, hash);
  }

  /** Copies secret bytes into the core (a PSK from storage, a vector in a test). */
  static import(core: Core, bytes: Uint8Array, hash?: TlsHashName): TlsSecret {
    const s = TlsSecret.allocate(core, bytes.length, hash);
    core.u8.set(bytes, s.#ptr);
    return s;
  }

  /** The arena address of the bytes (for core calls). Throws once destroyed. */
  get ptr(): number {
    if (this.#ptr === 0) throw new TlsError("ERR_TLS_SECRET_DESTROYED", "this secret has been destroyed");
    return this.#ptr;
  }

  get destroyed(): boolean {
    return this.#ptr === 0;
  }

  /** A copy of the secret's bytes, for key logs and tests. Everything else should pass the handle. */
  reveal(): Uint8Array {
    return this.core.take(this.ptr, this.length);
  }

  /** Zeroes and frees the secret. Idempotent. */
  destroy(): void {
    if (this.#ptr === 0) return;
    this.core.arena.release(this.#ptr);
    this.#ptr = 0;
  }
}
