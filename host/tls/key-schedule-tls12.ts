// TLS 1.2 key schedule over the PRF (RFC 5246 §5) for the AES-GCM suites, run in the core:
// master secret (extended, RFC 7627, or classic), key block, Finished verify_data, RFC 5705 exporter.
//
//   const ks = Tls12KeySchedule.fromExtendedMasterSecret(core, {
//     hash: suite.hash, preMasterSecret, transcript /* CH..ClientKeyExchange */, clientRandom, serverRandom });
//   layer.installTls12("write", suite, ks, "client");   // after sending ChangeCipherSpec
//   const verifyData = ks.finished("client", transcript);
import type { Core } from "../core/load-core.js";
import { TlsError, tlsStatusError } from "./errors.js";
import { HASH_ID, type TlsHashName } from "./record-suites.js";
import { TlsSecret } from "./key-schedule-secret.js";
import type { TlsTranscript } from "./key-schedule-transcript.js";

export type Tls12Sender = "client" | "server";
export const SENDER_ID: Readonly<Record<Tls12Sender, number>> = { client: 0, server: 1 };

export interface Tls12Randoms {
  /** ClientHello.random (32 bytes). */
  clientRandom: Uint8Array;
  /** ServerHello.random (32 bytes). */
  serverRandom: Uint8Array;
}

export interface Tls12ExtendedMasterSecretParams extends Tls12Randoms {
  hash: TlsHashName;
  preMasterSecret: Uint8Array | TlsSecret;
  /** The handshake transcript through ClientKeyExchange: its hash is the session_hash (RFC 7627 §3). */
  transcript: TlsTranscript;
}

export interface Tls12MasterSecretParams extends Tls12Randoms {
  hash: TlsHashName;
  preMasterSecret: Uint8Array | TlsSecret;
}

export interface Tls12FromMasterParams extends Tls12Randoms {
  hash: TlsHashName;
  /** A master secret already derived (a key log line, a test vector): 48 bytes. */
  masterSecret: Uint8Array | TlsSecret;
}

function checkRandoms(p: Tls12Randoms): void {
  if (p.clientRandom.length !== 32 || p.serverRandom.length !== 32) throw new TlsError("ERR_TLS_ARG", "ClientHello and ServerHello randoms are 32 bytes");
}

export class Tls12KeySchedule {
  readonly core: Core;
  readonly hash: TlsHashName;
  /** The 48-byte master secret, in the core. */
  readonly masterSecret: TlsSecret;
  /** client_random || server_random, in the core (64 bytes). */
  #randoms: number;

  private constructor(core: Core, hash: TlsHashName, master: TlsSecret, randoms: number) {
    this.core = core;
    this.hash = hash;
    this.masterSecret = master;
    this.#randoms = randoms;
  }

  private static build(core: Core, p: Tls12Randoms & { hash: TlsHashName }, fill: (master: TlsSecret, randoms: number) => void): Tls12KeySchedule {
    checkRandoms(p);
    if (!(p.hash in HASH_ID)) throw new TlsError("ERR_TLS_ARG", `unsupported hash ${String(p.hash)}`);
    const randoms = core.arena.alloc(64);
    core.u8.set(p.clientRandom, randoms);
    core.u8.set(p.serverRandom, randoms + 32);
    const master = TlsSecret.allocate(core, 48);
    try {
      fill(master, randoms);
    } catch (e) {
      master.destroy();
      core.arena.release(randoms);
      throw e;
    }
    return new Tls12KeySchedule(core, p.hash, master, randoms);
  }

  private static withPms<T>(core: Core, pms: Uint8Array | TlsSecret, fn: (ptr: number, len: number) => T): T {
    if (pms instanceof TlsSecret) return fn(pms.ptr, pms.length);
    const s = TlsSecret.import(core, pms);
    try {
      return fn(s.ptr, s.length);
    } finally {
      s.destroy();
    }
  }

  /** master_secret = PRF(pre_master_secret, "extended master secret", session_hash) (RFC 7627 §4). */
  static fromExtendedMasterSecret(core: Core, p: Tls12ExtendedMasterSecretParams): Tls12KeySchedule {
    return Tls12KeySchedule.build(core, p, (master) =>
      Tls12KeySchedule.withPms(core, p.preMasterSecret, (pp, pl) => {
        const r = core.fn("tls12_master_secret_ems")(HASH_ID[p.hash], pp, pl, p.transcript.ptr, master.ptr);
        if (r < 0) throw tlsStatusError(r, "tls12_master_secret_ems");
      }),
    );
  }

  /** master_secret = PRF(pre_master_secret, "master secret", client_random + server_random) (RFC 5246 §8.1). Prefer EMS. */
  static fromMasterSecret(core: Core, p: Tls12MasterSecretParams): Tls12KeySchedule {
    return Tls12KeySchedule.build(core, p, (master, randoms) =>
      Tls12KeySchedule.withPms(core, p.preMasterSecret, (pp, pl) => {
        const r = core.fn("tls12_master_secret")(HASH_ID[p.hash], pp, pl, randoms, randoms + 32, master.ptr);
        if (r < 0) throw tlsStatusError(r, "tls12_master_secret");
      }),
    );
  }

  /** From a known master secret (key log, test vector). */
  static fromMaster(core: Core, p: Tls12FromMasterParams): Tls12KeySchedule {
    if (p.masterSecret.length !== 48) throw new TlsError("ERR_TLS_ARG", "a TLS 1.2 master secret is 48 bytes");
    return Tls12KeySchedule.build(core, p, (master) => {
      if (p.masterSecret instanceof TlsSecret) core.u8.copyWithin(master.ptr, p.masterSecret.ptr, p.masterSecret.ptr + 48);
      else core.u8.set(p.masterSecret, master.ptr);
    });
  }

  /** Arena address of client_random || server_random (for core calls). */
  get randomsPtr(): number {
    if (this.#randoms === 0) throw new TlsError("ERR_TLS_SECRET_DESTROYED", "this key schedule has been destroyed");
    return this.#randoms;
  }

  /** key_block bytes (RFC 5246 §6.3). Diagnostics and tests only: the record layer installs keys inside the core. */
  keyBlock(length: number): Uint8Array {
    return this.core.withBlocks([Math.max(1, length)], (out) => {
      const r = this.core.fn("tls12_key_block")(HASH_ID[this.hash], this.masterSecret.ptr, 48, this.randomsPtr, this.randomsPtr + 32, out!, length);
      if (r < 0) throw tlsStatusError(r, "tls12_key_block");
      return this.core.take(out!, length);
    });
  }

  /** verify_data = PRF(master_secret, "<sender> finished", Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9). */
  finished(sender: Tls12Sender, transcript: TlsTranscript): Uint8Array {
    return this.core.withBlocks([12], (out) => {
      const r = this.core.fn("tls12_finished")(HASH_ID[this.hash], this.masterSecret.ptr, 48, SENDER_ID[sender], transcript.ptr, out!);
      if (r < 0) throw tlsStatusError(r, "tls12_finished");
      return this.core.take(out!, 12);
    });
  }

  /** Checks the peer's verify_data in constant time; throws TlsAlertError decrypt_error (sent) when it differs. */
  verifyFinished(sender: Tls12Sender, transcript: TlsTranscript, verifyData: Uint8Array): void {
    this.core.withBlocks([Math.max(1, verifyData.length)], (p) => {
      this.core.u8.set(verifyData, p!);
      const r = this.core.fn("tls12_finished_verify")(HASH_ID[this.hash], this.masterSecret.ptr, 48, SENDER_ID[sender], transcript.ptr, p!, verifyData.length);
      if (r < 0) throw tlsStatusError(r, "tls12_finished_verify");
    });
  }

  /** RFC 5705 keying material exporter; `context` undefined means "no context" (not an empty one). */
  exportKeyingMaterial(label: string | Uint8Array, context: Uint8Array | undefined, length: number): Uint8Array {
    const l = typeof label === "string" ? new TextEncoder().encode(label) : label;
    const c = context ?? new Uint8Array(0);
    return this.core.withBlocks([Math.max(1, l.length), Math.max(1, c.length), Math.max(1, length)], (pl, pc, out) => {
      this.core.u8.set(l, pl!);
      this.core.u8.set(c, pc!);
      const r = this.core.fn("tls12_exporter")(HASH_ID[this.hash], this.masterSecret.ptr, 48, pl!, l.length, this.randomsPtr, this.randomsPtr + 32, pc!, c.length, context ? 1 : 0, out!, length);
      if (r < 0) throw tlsStatusError(r, "tls12_exporter");
      return this.core.take(out!, length);
    });
  }

  /** Wipes the master secret and randoms. Idempotent. */
  destroy(): void {
    this.masterSecret.destroy();
    if (this.#randoms !== 0) {
      this.core.arena.release(this.#randoms);
      this.#randoms = 0;
    }
  }
}
