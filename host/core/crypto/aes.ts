// Typed wrapper over the core's aes exports (docs/abi.md "AES"): AES-128/192/256 block encryption
// and counter modes (SP 800-38A CTR, GCM-style CTR32, SRTP AES-CM). Core statuses surface as
// CoreError with the status table's code (ERR_CORE_KEY_LENGTH, ERR_CORE_LIMIT, ...).
import { CoreError } from "../../errors.js";
import type { Core } from "../load-core.js";

/** Counter increment: whole 128-bit block (SP 800-38A), low 32 bits (GCM inc32), low 16 bits (SRTP AES-CM). */
export type AesCtrMode = "ctr128" | "ctr32" | "aesCm";

const MODE_ID: Readonly<Record<AesCtrMode, number>> = { ctr128: 0, ctr32: 1, aesCm: 2 };

export class AesApi {
  constructor(readonly core: Core) {}

  /** Bytes of a key context in this build (`aes_ctx_size`). */
  get ctxSize(): number {
    return this.core.fn("aes_ctx_size")();
  }

  /** Bytes of a counter-mode stream state (`aes_ctr_state_size`). */
  get ctrStateSize(): number {
    return this.core.fn("aes_ctr_state_size")();
  }

  /** AES-ECB encryption of data (length a multiple of 16) under a 16/24/32-byte key. */
  ecbEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
    const core = this.core;
    return core.withBlocks([this.ctxSize, key.length, data.length], (ctx, k, d) => {
      core.u8.set(key, k!);
      core.call("aes_key_init", [ctx!, k!, key.length]);
      core.u8.set(data, d!);
      const n = core.call("aes_ecb_encrypt", [ctx!, d!, d!, data.length]);
      return core.take(d!, n);
    });
  }

  /** One-shot counter-mode XOR: data ^ keystream(key, iv, mode). */
  ctrXor(key: Uint8Array, iv: Uint8Array, mode: AesCtrMode, data: Uint8Array): Uint8Array {
    const s = this.ctr(key, iv, mode);
    try {
      return s.update(data);
    } finally {
      s.close();
    }
  }

  /**
   * A keystream that continues across update() calls of any length. iv is the 16-byte initial
   * counter block. close() wipes and frees the stream's arena blocks.
   */
  ctr(key: Uint8Array, iv: Uint8Array, mode: AesCtrMode): AesCtrStream {
    const id = MODE_ID[mode];
    if (id === undefined) throw new CoreError("ERR_CORE_ARG", `unknown AES counter mode "${String(mode)}"`);
    if (iv.length !== 16) throw new CoreError("ERR_CORE_ARG", `the initial counter block must be 16 bytes, not ${iv.length}`);
    return new AesCtrStream(this.core, key, iv, id);
  }
}

/** A counter-mode keystream held in the core's arena (key context + stream state + I/O buffer). */
export class AesCtrStream {
  private ctx = 0;
  private state = 0;
  private io = 0;
  private ioSize = 0;
  private open = false;

  constructor(
    private readonly core: Core,
    key: Uint8Array,
    iv: Uint8Array,
    mode: number,
  ) {
    const arena = core.arena;
    try {
      this.ctx = arena.alloc(core.fn("aes_ctx_size")());
      this.state = arena.alloc(core.fn("aes_ctr_state_size")());
      this.ioSize = Math.max(256, key.length, 16);
      this.io = arena.alloc(this.ioSize);
      core.u8.set(key, this.io);
      core.call("aes_key_init", [this.ctx, this.io, key.length]);
      core.u8.set(iv, this.io);
      core.call("aes_ctr_init", [this.state, this.io, mode]);
      core.u8.fill(0, this.io, this.io + 32);
      this.open = true;
    } catch (e) {
      this.free();
      throw e;
    }
  }

  /** data ^ the next data.length keystream bytes. */
  update(data: Uint8Array): Uint8Array {
    if (!this.open) throw new CoreError("ERR_CORE_STATE", "the AES counter-mode stream is closed");
    const core = this.core;
    if (data.length > this.ioSize) {
      core.arena.release(this.io);
      this.io = 0;
      const size = Math.max(data.length, this.ioSize * 2);
      this.io = core.arena.alloc(size);
      this.ioSize = size;
    }
    core.u8.set(data, this.io);
    const n = core.call("aes_ctr_run", [this.ctx, this.state, this.io, this.io, data.length]);
    return core.take(this.io, n);
  }

  /** Wipes and frees the stream's arena blocks. Idempotent. */
  close(): void {
    this.open = false;
    this.free();
  }

  get closed(): boolean {
    return !this.open;
  }

  private free(): void {
    const arena = this.core.arena;
    for (const p of [this.ctx, this.state, this.io]) if (p !== 0) arena.release(p); // release() zeroes
    this.ctx = this.state = this.io = 0;
  }
}
