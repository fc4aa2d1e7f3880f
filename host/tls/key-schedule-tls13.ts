// TLS 1.3 key schedule (RFC 8446 §7.1) driven from the host; every secret stays in the core.
//
//   const ks = Tls13KeySchedule.create(core, "sha256");        // Early Secret (no PSK)
//   ks.deriveHandshakeSecret(ecdheSharedSecret);                 // after ServerHello
//   const chts = ks.deriveSecret("c hs traffic", transcript);    // transcript: CH..SH
//   const shts = ks.deriveSecret("s hs traffic", transcript);
//   ks.deriveMasterSecret();
//   const cats = ks.deriveSecret("c ap traffic", transcript);    // transcript: CH..server Finished
//   ...
//   tls13VerifyFinished(core, "sha256", shts, transcript, verifyData);
import type { Core } from "../core/load-core.js";
import { TlsError, tlsStatusError } from "./errors.js";
import { HASH_ID, HASH_LENGTH, type TlsHashName } from "./record-suites.js";
import { TlsSecret } from "./key-schedule-secret.js";
import type { TlsTranscript } from "./key-schedule-transcript.js";

/** Derive-Secret labels (RFC 8446 §7.1) and their core ids. */
export const TLS13_LABELS = {
  "ext binder": 1,
  "res binder": 2,
  "c e traffic": 3,
  "e exp master": 4,
  "c hs traffic": 5,
  "s hs traffic": 6,
  "c ap traffic": 7,
  "s ap traffic": 8,
  "exp master": 9,
  "res master": 10,
} as const;
export type Tls13Label = keyof typeof TLS13_LABELS;

export type Tls13Stage = "early" | "handshake" | "master";
const STAGES: Record<number, Tls13Stage> = { 1: "early", 2: "handshake", 3: "master" };

export class Tls13KeySchedule {
  readonly core: Core;
  readonly hash: TlsHashName;
  #ctx: number;

  private constructor(core: Core, hash: TlsHashName, ctx: number) {
    this.core = core;
    this.hash = hash;
    this.#ctx = ctx;
  }

  /** Early Secret = HKDF-Extract(0, PSK or zeros). */
  static create(core: Core, hash: TlsHashName, psk?: TlsSecret | Uint8Array): Tls13KeySchedule {
    if (!(hash in HASH_ID)) throw new TlsError("ERR_TLS_ARG", `unsupported hash ${String(hash)}`);
    const ctx = core.arena.alloc(core.fn("tls13_ks_ctx_size")());
    const imported = psk instanceof Uint8Array ? TlsSecret.import(core, psk) : undefined;
    try {
      const p = imported ?? psk;
      const r = core.fn("tls13_ks_init")(ctx, HASH_ID[hash], p ? (p as TlsSecret).ptr : 0, p ? (p as TlsSecret).length : 0);
      if (r < 0) throw tlsStatusError(r, "tls13_ks_init");
    } catch (e) {
      core.arena.release(ctx);
      throw e;
    } finally {
      imported?.destroy();
    }
    return new Tls13KeySchedule(core, hash, ctx);
  }

  get stage(): Tls13Stage {
    const r = this.core.fn("tls13_ks_stage")(this.ptr);
    if (r < 0) throw tlsStatusError(r, "tls13_ks_stage");
    return STAGES[r]!;
  }

  /** Handshake Secret = HKDF-Extract(Derive-Secret(Early, "derived", ""), (EC)DHE shared secret). */
  deriveHandshakeSecret(sharedSecret: Uint8Array | TlsSecret): void {
    const ctx = this.ptr;
    const run = (p: number, n: number) => {
      const r = this.core.fn("tls13_ks_handshake")(ctx, p, n);
      if (r < 0) throw tlsStatusError(r, "tls13_ks_handshake");
    };
    if (sharedSecret instanceof TlsSecret) run(sharedSecret.ptr, sharedSecret.length);
    else this.core.withBlocks([sharedSecret.length], (p) => {
      this.core.u8.set(sharedSecret, p!);
      run(p!, sharedSecret.length);
    });
  }

  /** Master Secret = HKDF-Extract(Derive-Secret(Handshake, "derived", ""), 0). */
  deriveMasterSecret(): void {
    const r = this.core.fn("tls13_ks_master")(this.ptr);
    if (r < 0) throw tlsStatusError(r, "tls13_ks_master");
  }

  /**
   * Derive-Secret(current stage secret, label, Transcript-Hash(messages)). Without a transcript the
   * messages are empty (as the binder keys require). The label must belong to the current stage.
   */
  deriveSecret(label: Tls13Label, transcript?: TlsTranscript): TlsSecret {
    const id = TLS13_LABELS[label];
    if (id === undefined) throw new TlsError("ERR_TLS_ARG", `unknown TLS 1.3 label "${String(label)}"`);
    const out = TlsSecret.allocate(this.core, HASH_LENGTH[this.hash], this.hash);
    const r = this.core.fn("tls13_ks_derive")(this.ptr, id, transcript ? transcript.ptr : 0, out.ptr);
    if (r < 0) {
      out.destroy();
      throw tlsStatusError(r, `tls13_ks_derive("${label}")`);
    }
    return out;
  }

  get ptr(): number {
    if (this.#ctx === 0) throw new TlsError("ERR_TLS_SECRET_DESTROYED", "this key schedule has been destroyed");
    return this.#ctx;
  }

  /** Wipes the stage secrets and frees the context. Idempotent. */
  destroy(): void {
    if (this.#ctx === 0) return;
    this.core.fn("tls13_ks_close")(this.#ctx);
    this.core.arena.release(this.#ctx);
    this.#ctx = 0;
  }
}

/** verify_data of a Finished message (RFC 8446 §4.4.4); baseKey is the sender's handshake traffic secret. */
export function tls13Finished(core: Core, hash: TlsHashName, baseKey: TlsSecret, transcript: TlsTranscript): Uint8Array {
  const len = HASH_LENGTH[hash];
  return core.withBlocks([len], (out) => {
    const r = core.fn("tls13_finished")(HASH_ID[hash], baseKey.ptr, baseKey.length, transcript.ptr, out!);
    if (r < 0) throw tlsStatusError(r, "tls13_finished");
    return core.take(out!, len);
  });
}

/** Checks a received Finished verify_data in constant time; throws TlsAlertError decrypt_error (sent) when it differs. */
export function tls13VerifyFinished(core: Core, hash: TlsHashName, baseKey: TlsSecret, transcript: TlsTranscript, verifyData: Uint8Array): void {
  core.withBlocks([Math.max(1, verifyData.length)], (p) => {
    core.u8.set(verifyData, p!);
    const r = core.fn("tls13_finished_verify")(HASH_ID[hash], baseKey.ptr, baseKey.length, transcript.ptr, p!, verifyData.length);
    if (r < 0) throw tlsStatusError(r, "tls13_finished_verify");
  });
}

/** TLS-Exporter(label, context, length) from the exporter master secret (RFC 8446 §7.5). */
export function tls13ExportKeyingMaterial(core: Core, hash: TlsHashName, exporterSecret: TlsSecret, label: string | Uint8Array, context: Uint8Array, length: number): Uint8Array {
  const l = typeof label === "string" ? new TextEncoder().encode(label) : label;
  return core.withBlocks([Math.max(1, l.length), Math.max(1, context.length), Math.max(1, length)], (pl, pc, out) => {
    core.u8.set(l, pl!);
    core.u8.set(context, pc!);
    const r = core.fn("tls13_exporter")(HASH_ID[hash], exporterSecret.ptr, exporterSecret.length, pl!, l.length, pc!, context.length, out!, length);
    if (r < 0) throw tlsStatusError(r, "tls13_exporter");
    return core.take(out!, length);
  });
}

/** The PSK of a NewSessionTicket: HKDF-Expand-Label(resumption_master_secret, "resumption", nonce, Hash.length). */
export function tls13ResumptionPsk(core: Core, hash: TlsHashName, resumptionSecret: TlsSecret, ticketNonce: Uint8Array): TlsSecret {
  const out = TlsSecret.allocate(core, HASH_LENGTH[hash], hash);
  try {
    core.withBlocks([Math.max(1, ticketNonce.length)], (pn) => {
      core.u8.set(ticketNonce, pn!);
      const r = core.fn("tls13_resumption_psk")(HASH_ID[hash], resumptionSecret.ptr, resumptionSecret.length, pn!, ticketNonce.length, out.ptr);
      if (r < 0) throw tlsStatusError(r, "tls13_resumption_psk");
    });
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}

/** application_traffic_secret_N+1 (RFC 8446 §7.2). The record layer does this itself on keyUpdate(); this is for key logs. */
export function tls13NextTrafficSecret(core: Core, hash: TlsHashName, secret: TlsSecret): TlsSecret {
  const out = TlsSecret.allocate(core, HASH_LENGTH[hash], hash);
  const r = core.fn("tls13_next_secret")(HASH_ID[hash], secret.ptr, secret.length, out.ptr);
  if (r < 0) {
    out.destroy();
    throw tlsStatusError(r, "tls13_next_secret");
  }
  return out;
}

/** The traffic key and IV of a secret (RFC 8446 §7.3). For tests and diagnostics: the record layer derives them inside the core. */
export function tls13TrafficKeys(core: Core, hash: TlsHashName, secret: TlsSecret, keyLength: 16 | 32): { key: Uint8Array; iv: Uint8Array } {
  return core.withBlocks([keyLength + 12], (out) => {
    const r = core.fn("tls13_traffic_keys")(HASH_ID[hash], secret.ptr, secret.length, keyLength, out!);
    if (r < 0) throw tlsStatusError(r, "tls13_traffic_keys");
    const b = core.take(out!, keyLength + 12);
    return { key: b.slice(0, keyLength), iv: b.slice(keyLength) };
  });
}

