// The handshake transcript hash, computed in the core (RFC 8446 §4.4.1, RFC 5246 §7.4.9). Created
// before the cipher suite is known it runs SHA-256 and SHA-384 together; select() keeps the
// suite's hash. hash() is a snapshot: the running hash continues.
import type { Core } from "../core/load-core.js";
import { TlsError, tlsStatusError } from "./errors.js";
import { HASH_ID, HASH_LENGTH, type TlsHashName } from "./record-suites.js";

export class TlsTranscript {
  readonly core: Core;
  #ctx: number;
  #hashes: TlsHashName[];

  private constructor(core: Core, ctx: number, hashes: TlsHashName[]) {
    this.core = core;
    this.#ctx = ctx;
    this.#hashes = hashes;
  }

  /** A new transcript; without `hash` it runs both SHA-256 and SHA-384 until select(). */
  static create(core: Core, hash?: TlsHashName): TlsTranscript {
    const ctx = core.arena.alloc(core.fn("tls_transcript_ctx_size")());
    const r = core.fn("tls_transcript_init")(ctx, hash ? HASH_ID[hash] : 0);
    if (r < 0) {
      core.arena.release(ctx);
      throw tlsStatusError(r, "tls_transcript_init");
    }
    return new TlsTranscript(core, ctx, hash ? [hash] : ["sha256", "sha384"]);
  }

  /** The arena address of the context (for core calls). */
  get ptr(): number {
    if (this.#ctx === 0) throw new TlsError("ERR_TLS_TRANSCRIPT_DESTROYED", "this transcript has been destroyed");
    return this.#ctx;
  }

  /** The hashes still running. */
  get hashes(): readonly TlsHashName[] {
    return this.#hashes;
  }

  /** Hashes handshake messages (each with its 4-byte handshake header), in order. */
  update(...messages: Uint8Array[]): void {
    const ctx = this.ptr;
    for (const m of messages) {
      if (m.length === 0) continue;
      this.core.withBlocks([m.length], (p) => {
        this.core.u8.set(m, p!);
        const r = this.core.fn("tls_transcript_update")(ctx, p!, m.length);
        if (r < 0) throw tlsStatusError(r, "tls_transcript_update");
      });
    }
  }

  /** Keeps only the negotiated suite's hash. */
  select(hash: TlsHashName): void {
    const r = this.core.fn("tls_transcript_select")(this.ptr, HASH_ID[hash]);
    if (r < 0) throw tlsStatusError(r, "tls_transcript_select");
    this.#hashes = [hash];
  }

  /** Transcript-Hash of the messages so far. `hash` may be omitted once only one hash runs. */
  hash(hash?: TlsHashName): Uint8Array {
    const h = hash ?? this.single();
    const len = HASH_LENGTH[h];
    return this.core.withBlocks([len], (out) => {
      const r = this.core.fn("tls_transcript_hash")(this.ptr, HASH_ID[h], out!);
      if (r < 0) throw tlsStatusError(r, "tls_transcript_hash");
      return this.core.take(out!, len);
    });
  }

  /**
   * After a HelloRetryRequest (RFC 8446 §4.4.1): replaces ClientHello1, already hashed, by
   * message_hash(Hash(ClientHello1)). Call before hashing the HelloRetryRequest itself.
   */
  helloRetryRequest(): void {
    const r = this.core.fn("tls_transcript_hello_retry")(this.ptr);
    if (r < 0) throw tlsStatusError(r, "tls_transcript_hello_retry");
  }

  /** Wipes and frees the context. Idempotent. */
  destroy(): void {
    if (this.#ctx === 0) return;
    this.core.fn("tls_transcript_close")(this.#ctx);
    this.core.arena.release(this.#ctx);
    this.#ctx = 0;
  }

  private single(): TlsHashName {
    if (this.#hashes.length !== 1) throw new TlsError("ERR_TLS_TRANSCRIPT_HASH", "the transcript still runs both hashes: name one, or select() the suite's hash");
    return this.#hashes[0]!;
  }
}
