// Typed wrapper over the core's hash exports (docs/abi.md, "SHA, HMAC, HKDF, TLS 1.2 PRF"):
// one-shot and streaming SHA-1/256/384/512, HMAC with a reusable key, HKDF (RFC 5869),
// TLS 1.3 HKDF-Expand-Label (RFC 8446 §7.1) and the TLS 1.2 PRF (RFC 5246 §5).
//
// Contexts live in the core's arena. Objects that own one (HashStream, HmacKey, HmacStream) must be
// closed; close() zeroes and frees the block. Errors are CoreError with the status table's code
// (ERR_CORE_ARG, ERR_CORE_STATE, ...); an unknown algorithm name is ERR_CORE_ARG, like the core's.
import type { Core } from "../load-core.js";
import { CoreError } from "../../errors.js";

export type HashAlg = "sha1" | "sha256" | "sha384" | "sha512";
/** The hashes TLS 1.2 uses in its PRF. */
export type PrfHash = "sha256" | "sha384";
/** Bytes, or a string taken as UTF-8 (labels are ASCII in practice). */
export type BytesOrString = Uint8Array | string;

/** Algorithm ids of the ABI (assembly/crypto/hash/sha.ts). */
export const HASH_ALG_IDS: Readonly<Record<HashAlg, number>> = Object.freeze({ sha1: 1, sha256: 2, sha384: 3, sha512: 4 });
export const HASH_DIGEST_LENGTHS: Readonly<Record<HashAlg, number>> = Object.freeze({ sha1: 20, sha256: 32, sha384: 48, sha512: 64 });

/** Messages longer than this are copied into the arena and absorbed in pieces of this size. */
const CHUNK = 64 * 1024;

const utf8 = new TextEncoder();

function bytes(v: BytesOrString): Uint8Array {
  return typeof v === "string" ? utf8.encode(v) : v;
}

function algId(alg: string): number {
  const id = (HASH_ALG_IDS as Record<string, number>)[alg];
  if (id === undefined) throw new CoreError("ERR_CORE_ARG", `unknown hash algorithm "${String(alg)}" (sha1, sha256, sha384, sha512)`);
  return id;
}

function checkLength(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new CoreError("ERR_CORE_ARG", `${name} must be a non-negative integer, got ${String(n)}`);
}

/** Feeds data to `absorb(ptr, len)` through one arena block, at most CHUNK bytes at a time. */
function feed(core: Core, data: Uint8Array, absorb: (ptr: number, len: number) => void): void {
  const size = Math.min(data.length, CHUNK);
  core.withBlocks([size], (p) => {
    if (data.length === 0) absorb(p!, 0);
    for (let off = 0; off < data.length; off += CHUNK) {
      const piece = data.subarray(off, Math.min(off + CHUNK, data.length));
      core.u8.set(piece, p!);
      absorb(p!, piece.length);
    }
  });
}

/** Base for the objects that own an arena context. */
abstract class OwnedContext {
  protected ctx: number | undefined;
  constructor(
    protected readonly core: Core,
    size: number,
  ) {
    this.ctx = core.arena.alloc(size);
  }
  protected live(what: string): number {
    if (this.ctx === undefined) throw new CoreError("ERR_CORE_STATE", `${what}: this object is closed`);
    return this.ctx;
  }
  /** Zeroes and frees the context. Idempotent. */
  close(): void {
    if (this.ctx !== undefined) {
      this.core.arena.release(this.ctx);
      this.ctx = undefined;
    }
  }
  get closed(): boolean {
    return this.ctx === undefined;
  }
}

/** A streaming hash (sha_init / sha_update / sha_snapshot / sha_final). */
export class HashStream extends OwnedContext {
  readonly digestLength: number;
  constructor(
    core: Core,
    readonly algorithm: HashAlg,
  ) {
    super(core, core.call("sha_ctx_size", []));
    this.digestLength = HASH_DIGEST_LENGTHS[algorithm];
    try {
      core.call("sha_init", [this.ctx!, algId(algorithm)]);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Absorbs data. Returns this. */
  update(data: BytesOrString): this {
    const ctx = this.live("update");
    feed(this.core, bytes(data), (p, n) => this.core.call("sha_update", [ctx, p, n]));
    return this;
  }

  /** The digest of everything absorbed so far; the stream continues (TLS transcript hashes). */
  snapshot(): Uint8Array {
    const ctx = this.live("snapshot");
    return this.core.withBlocks([this.digestLength], (out) => {
      const n = this.core.call("sha_snapshot", [ctx, out!, this.digestLength]);
      return this.core.take(out!, n);
    });
  }

  /** Finishes the hash, returns the digest and closes the stream. */
  digest(): Uint8Array {
    const ctx = this.live("digest");
    try {
      return this.core.withBlocks([this.digestLength], (out) => {
        const n = this.core.call("sha_final", [ctx, out!, this.digestLength]);
        return this.core.take(out!, n);
      });
    } finally {
      this.close();
    }
  }
}

/** A streaming HMAC computation (hmac_init / hmac_update / hmac_final) started from an HmacKey. */
export class HmacStream extends OwnedContext {
  constructor(
    core: Core,
    kctx: number,
    readonly algorithm: HashAlg,
  ) {
    super(core, core.call("hmac_ctx_size", []));
    try {
      core.call("hmac_init", [this.ctx!, kctx]);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  update(data: BytesOrString): this {
    const ctx = this.live("update");
    feed(this.core, bytes(data), (p, n) => this.core.call("hmac_update", [ctx, p, n]));
    return this;
  }

  /** The tag (outLen bytes, default the digest length; shorter is a truncated tag). Closes the stream. */
  digest(outLen: number = HASH_DIGEST_LENGTHS[this.algorithm]): Uint8Array {
    const ctx = this.live("digest");
    checkLength("outLen", outLen);
    try {
      return this.core.withBlocks([outLen], (out) => this.core.take(out!, this.core.call("hmac_final", [ctx, out!, outLen])));
    } finally {
      this.close();
    }
  }
}

/** An HMAC key with its inner and outer pads absorbed once (hmac_key_init); reuse it per message. */
export class HmacKey extends OwnedContext {
  readonly digestLength: number;
  constructor(
    core: Core,
    readonly algorithm: HashAlg,
    key: Uint8Array,
  ) {
    super(core, core.call("hmac_key_size", []));
    this.digestLength = HASH_DIGEST_LENGTHS[algorithm];
    try {
      const id = algId(algorithm);
      core.withBlocks([key.length], (k) => {
        core.u8.set(key, k!);
        core.call("hmac_key_init", [this.ctx!, id, k!, key.length]);
      });
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** The tag of data: outLen bytes (1..digest length; default the digest length). */
  compute(data: BytesOrString, outLen: number = this.digestLength): Uint8Array {
    const kctx = this.live("compute");
    checkLength("outLen", outLen);
    const msg = bytes(data);
    if (msg.length > CHUNK) {
      return this.stream().update(msg).digest(outLen);
    }
    return this.core.withBlocks([msg.length, outLen], (p, out) => {
      this.core.u8.set(msg, p!);
      return this.core.take(out!, this.core.call("hmac_compute", [kctx, p!, msg.length, out!, outLen]));
    });
  }

  /**
   * True when tag (1..digest length bytes; shorter is a truncated tag) is the MAC of data. The
   * comparison runs in the core in constant time. An empty or over-long tag is ERR_CORE_ARG.
   */
  verify(data: BytesOrString, tag: Uint8Array): boolean {
    const kctx = this.live("verify");
    const msg = bytes(data);
    return this.core.withBlocks([msg.length, tag.length], (p, t) => {
      this.core.u8.set(msg, p!);
      this.core.u8.set(tag, t!);
      return this.core.call("hmac_verify", [kctx, p!, msg.length, t!, tag.length]) === 1;
    });
  }

  /** Starts a streaming computation with this key. */
  stream(): HmacStream {
    return new HmacStream(this.core, this.live("stream"), this.algorithm);
  }
}

export class HashApi {
  constructor(readonly core: Core) {}

  /** Digest length in bytes of alg. */
  digestLength(alg: HashAlg): number {
    return this.core.call("sha_digest_len", [algId(alg)]);
  }

  /** One-shot digest. */
  digest(alg: HashAlg, data: BytesOrString): Uint8Array {
    const id = algId(alg);
    const msg = bytes(data);
    if (msg.length > CHUNK) return this.createHash(alg).update(msg).digest();
    const dl = HASH_DIGEST_LENGTHS[alg];
    return this.core.withBlocks([msg.length, dl], (p, out) => {
      this.core.u8.set(msg, p!);
      return this.core.take(out!, this.core.call("sha_digest", [id, p!, msg.length, out!, dl]));
    });
  }

  /** A streaming hash with update/snapshot/digest/close. */
  createHash(alg: HashAlg): HashStream {
    algId(alg);
    return new HashStream(this.core, alg);
  }

  /** One-shot HMAC (outLen bytes, default the digest length). */
  hmac(alg: HashAlg, key: BytesOrString, data: BytesOrString, outLen?: number): Uint8Array {
    const k = this.hmacKey(alg, key);
    try {
      return k.compute(data, outLen);
    } finally {
      k.close();
    }
  }

  /** A reusable HMAC key (close it when done). */
  hmacKey(alg: HashAlg, key: BytesOrString): HmacKey {
    algId(alg);
    return new HmacKey(this.core, alg, bytes(key));
  }

  /** HKDF-Extract(salt, IKM) (RFC 5869 §2.2): HashLen bytes. An empty salt means HashLen zeros. */
  hkdfExtract(alg: HashAlg, salt: BytesOrString, ikm: BytesOrString): Uint8Array {
    const id = algId(alg);
    const s = bytes(salt);
    const i = bytes(ikm);
    const dl = HASH_DIGEST_LENGTHS[alg];
    return this.core.withBlocks([s.length, i.length, dl], (ps, pi, out) => {
      this.core.u8.set(s, ps!);
      this.core.u8.set(i, pi!);
      return this.core.take(out!, this.core.call("hkdf_extract", [id, ps!, s.length, pi!, i.length, out!, dl]));
    });
  }

  /** HKDF-Expand(PRK, info, length) (RFC 5869 §2.3); length <= 255 * HashLen; PRK at least HashLen bytes. */
  hkdfExpand(alg: HashAlg, prk: Uint8Array, info: BytesOrString, length: number): Uint8Array {
    const id = algId(alg);
    checkLength("length", length);
    const f = bytes(info);
    return this.core.withBlocks([prk.length, f.length, length], (pp, pf, out) => {
      this.core.u8.set(prk, pp!);
      this.core.u8.set(f, pf!);
      return this.core.take(out!, this.core.call("hkdf_expand", [id, pp!, prk.length, pf!, f.length, out!, length]));
    });
  }

  /**
   * TLS 1.3 HKDF-Expand-Label(Secret, Label, Context, Length) (RFC 8446 §7.1). label is WITHOUT the
   * "tls13 " prefix (the core adds it; at most 249 bytes); context at most 255 bytes.
   */
  hkdfExpandLabel(alg: HashAlg, secret: Uint8Array, label: BytesOrString, context: Uint8Array, length: number): Uint8Array {
    const id = algId(alg);
    checkLength("length", length);
    const l = bytes(label);
    return this.core.withBlocks([secret.length, l.length, context.length, length], (ps, pl, pc, out) => {
      this.core.u8.set(secret, ps!);
      this.core.u8.set(l, pl!);
      this.core.u8.set(context, pc!);
      return this.core.take(out!, this.core.call("hkdf_expand_label", [id, ps!, secret.length, pl!, l.length, pc!, context.length, out!, length]));
    });
  }

  /** TLS 1.2 PRF(secret, label, seed) = P_<hash>(secret, label || seed) (RFC 5246 §5), length bytes. */
  tls12Prf(alg: PrfHash, secret: Uint8Array, label: BytesOrString, seed: Uint8Array, length: number): Uint8Array {
    const id = algId(alg);
    checkLength("length", length);
    const l = bytes(label);
    return this.core.withBlocks([secret.length, l.length, seed.length, length], (ps, pl, pd, out) => {
      this.core.u8.set(secret, ps!);
      this.core.u8.set(l, pl!);
      this.core.u8.set(seed, pd!);
      return this.core.take(out!, this.core.call("tls12_prf", [id, ps!, secret.length, pl!, l.length, pd!, seed.length, out!, length]));
    });
  }
}
