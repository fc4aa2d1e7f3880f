// Typed wrapper over the core's gcm exports (docs/abi.md "GHASH and GCM"): GHASH (br_ghash
// semantics) and AES-GCM (SP 800-38D) with 128/192/256-bit keys, any IV length >= 1 byte, AAD of any
// length and tags of 4..16 bytes. Core statuses surface as CoreError with the status table's code:
// a tag that does not verify is ERR_CORE_AUTH (and no plaintext is returned or written anywhere).
//
// These wrappers copy between JS and the arena: fine for tools, tests and one-off records. Hot paths
// (the SRTP and TLS record layers) keep their packets in the arena and call the exports directly.
import { CoreError } from "../../errors.js";
import type { Core } from "../load-core.js";

/** Result of a seal: the ciphertext (same length as the plaintext) and the tag. */
export interface GcmSealResult {
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

export const GCM_TAG_MIN = 4;
export const GCM_TAG_MAX = 16;
export const GCM_TAG_DEFAULT = 16;

function checkTagLength(tagLen: number): void {
  if (!Number.isInteger(tagLen) || tagLen < GCM_TAG_MIN || tagLen > GCM_TAG_MAX) {
    throw new CoreError("ERR_CORE_ARG", `GCM tag length must be an integer from ${GCM_TAG_MIN} to ${GCM_TAG_MAX} bytes, not ${tagLen}`);
  }
}

function checkIv(iv: Uint8Array): void {
  if (iv.length < 1) throw new CoreError("ERR_CORE_ARG", "the GCM IV must be at least 1 byte (12 bytes is the recommended length)");
}

export class GcmApi {
  constructor(readonly core: Core) {}

  /** Bytes of a GCM key context in this build (`gcm_ctx_size`). */
  get ctxSize(): number {
    return this.core.fn("gcm_ctx_size")();
  }

  /**
   * GHASH update (BearSSL br_ghash semantics): returns Y' = GHASH_H update of y with data, zero
   * padded to a multiple of 16 bytes. h and y are 16 bytes (y defaults to zero).
   */
  ghash(h: Uint8Array, y: Uint8Array | undefined, data: Uint8Array): Uint8Array {
    if (h.length !== 16) throw new CoreError("ERR_CORE_ARG", `GHASH's H must be 16 bytes, not ${h.length}`);
    const y0 = y ?? new Uint8Array(16);
    if (y0.length !== 16) throw new CoreError("ERR_CORE_ARG", `GHASH's Y must be 16 bytes, not ${y0.length}`);
    const core = this.core;
    return core.withBlocks([16, 16, data.length], (ph, py, pd) => {
      core.u8.set(h, ph!);
      core.u8.set(y0, py!);
      core.u8.set(data, pd!);
      core.call("ghash_run", [ph!, py!, pd!, data.length]);
      return core.take(py!, 16);
    });
  }

  /** A GCM key held in the core (key schedule and GHASH powers computed once). close() wipes it. */
  key(key: Uint8Array): GcmKey {
    return new GcmKey(this.core, key);
  }

  /** One-shot seal under key. */
  seal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, tagLen = GCM_TAG_DEFAULT): GcmSealResult {
    const k = this.key(key);
    try {
      return k.seal(iv, aad, plaintext, tagLen);
    } finally {
      k.close();
    }
  }

  /** One-shot open under key; throws CoreError ERR_CORE_AUTH when the tag does not verify. */
  open(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array {
    const k = this.key(key);
    try {
      return k.open(iv, aad, ciphertext, tag);
    } finally {
      k.close();
    }
  }
}

/** An AES-GCM key context in the core's arena plus an I/O block reused across calls. */
export class GcmKey {
  private ctx = 0;
  private io = 0;
  private ioSize = 0;
  private live = false;

  constructor(
    private readonly core: Core,
    key: Uint8Array,
  ) {
    const arena = core.arena;
    try {
      this.ctx = arena.alloc(core.fn("gcm_ctx_size")());
      this.ensureIo(Math.max(256, key.length));
      core.u8.set(key, this.io);
      core.call("gcm_key_init", [this.ctx, this.io, key.length]);
      core.u8.fill(0, this.io, this.io + key.length);
      this.live = true;
    } catch (e) {
      this.free();
      throw e;
    }
  }

  /** Encrypts and authenticates plaintext with aad; tagLen 4..16 bytes (default 16). */
  seal(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, tagLen = GCM_TAG_DEFAULT): GcmSealResult {
    this.checkLive();
    checkIv(iv);
    checkTagLength(tagLen);
    const core = this.core;
    const n = plaintext.length;
    // io layout: iv | aad | data (in place) | tag
    this.ensureIo(iv.length + aad.length + n + tagLen);
    const pIv = this.io;
    const pAad = pIv + iv.length;
    const pData = pAad + aad.length;
    const pTag = pData + n;
    const u8 = core.u8;
    u8.set(iv, pIv);
    u8.set(aad, pAad);
    u8.set(plaintext, pData);
    try {
      core.call("gcm_seal", [this.ctx, pIv, iv.length, pAad, aad.length, pData, pData, n, pTag, tagLen]);
      return { ciphertext: core.take(pData, n), tag: core.take(pTag, tagLen) };
    } finally {
      core.u8.fill(0, this.io, pTag + tagLen);
    }
  }

  /**
   * Verifies tag (4..16 bytes) over aad and ciphertext, then decrypts. Throws CoreError
   * ERR_CORE_AUTH when the tag does not verify; no plaintext is produced in that case.
   */
  open(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array {
    this.checkLive();
    checkIv(iv);
    checkTagLength(tag.length);
    const core = this.core;
    const n = ciphertext.length;
    this.ensureIo(iv.length + aad.length + n + tag.length);
    const pIv = this.io;
    const pAad = pIv + iv.length;
    const pData = pAad + aad.length;
    const pTag = pData + n;
    const u8 = core.u8;
    u8.set(iv, pIv);
    u8.set(aad, pAad);
    u8.set(ciphertext, pData);
    u8.set(tag, pTag);
    try {
      core.call("gcm_open", [this.ctx, pIv, iv.length, pAad, aad.length, pData, pData, n, pTag, tag.length]);
      return core.take(pData, n);
    } finally {
      core.u8.fill(0, this.io, pTag + tag.length);
    }
  }

  /** Wipes and frees the key context and I/O block. Idempotent. */
  close(): void {
    this.live = false;
    this.free();
  }

  get closed(): boolean {
    return !this.live;
  }

  private checkLive(): void {
    if (!this.live) throw new CoreError("ERR_CORE_STATE", "this GCM key has been closed");
  }

  private ensureIo(size: number): void {
    if (size <= this.ioSize && this.io !== 0) return;
    const arena = this.core.arena;
    if (this.io !== 0) arena.release(this.io);
    this.io = 0;
    const want = Math.max(size, this.ioSize * 2, 256);
    this.io = arena.alloc(want);
    this.ioSize = want;
  }

  private free(): void {
    const arena = this.core.arena;
    for (const p of [this.ctx, this.io]) if (p !== 0) arena.release(p); // release() zeroes the block
    this.ctx = this.io = 0;
    this.ioSize = 0;
  }
}
