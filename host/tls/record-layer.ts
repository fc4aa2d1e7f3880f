// The TLS record layer as the host sees it: a sans-I/O object over the core's two half connections
// (read, write) and its reassembly buffer. Socket bytes go in with feed(); complete records come out
// of readRecord(); content goes out protected with seal(). The handshake (a separate module) drives
// it: it sets the version, installs traffic keys per direction at the right moments, answers
// KeyUpdate, and uses the key-schedule classes (key-schedule.ts) whose secrets never leave the core.
//
// Example (TLS 1.3 client, abbreviated):
//
//   const rl = TlsRecordLayer.create(core);
//   rl.setLegacyRecordVersion(0x0301);
//   socket.write(rl.seal(ContentType.handshake, clientHello));
//   socket.on("data", (b) => { rl.feed(b); for (let r; (r = rl.readRecord()); ) handshake.onRecord(r); });
//   // after ServerHello: handshake keys, one direction at a time
//   rl.setVersion("1.3");
//   rl.allowCompatibilityChangeCipherSpec(true);
//   rl.installTls13("read", suite, shts);    // server handshake traffic secret (a TlsSecret)
//   rl.installTls13("write", suite, chts);
//   // after the server Finished / own Finished: application keys
//   rl.allowCompatibilityChangeCipherSpec(false);
//   rl.installTls13("read", suite, sats);
//   socket.write(rl.seal(ContentType.handshake, clientFinished));
//   rl.installTls13("write", suite, cats);
//   // on KeyUpdate received: rl.keyUpdate("read"); when rl.keyUpdateDue: send KeyUpdate, then rl.keyUpdate("write")
//
// Errors: a record that must be refused throws TlsAlertError (code "ERR_TLS_ALERT", direction
// "sent", alertRecord = the alert to write to the socket before closing); a fatal alert from the
// peer throws TlsAlertError with direction "received". Both directions stay failed afterwards.
import type { Core } from "../core/load-core.js";
import { TlsAlertError, TlsError, tlsStatusError } from "./errors.js";
import { AlertLevel, TLS_ALERTS, defaultAlertLevel, isAlertName, type TlsAlertName } from "./alerts.js";
import { AEAD_ID, HASH_ID, VERSION_ID, cipherSuite, type TlsCipherSuite, type TlsVersionName } from "./record-suites.js";
import type { TlsSecret } from "./key-schedule-secret.js";
import type { Tls12KeySchedule, Tls12Sender } from "./key-schedule-tls12.js";
import { SENDER_ID } from "./key-schedule-tls12.js";
import { OPEN_CAPACITY, recordIo, type RecordIo } from "./record-io.js";

/** ContentType (RFC 8446 §5.1). */
export const ContentType = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

export type RecordDirection = "read" | "write";

/** A record's content after its protection is removed. */
export interface TlsRecord {
  type: ContentType;
  data: Uint8Array;
}

export interface TlsUsageLimits {
  /** Records under one write key after which a KeyUpdate is due. Default 2^24. */
  soft: number;
  /** Records under one write key after which sealing stops (ERR_TLS_KEY_LIMIT). Default floor(2^24.5) (RFC 8446 §5.5). */
  hard: number;
}

export interface TlsRecordLayerOptions {
  /** AEAD usage limits of the write direction (RFC 8446 §5.5). 0 disables a limit. */
  usageLimits?: TlsUsageLimits;
  /** Called once per write key when the soft usage limit is reached: send a KeyUpdate (TLS 1.3) or reconnect (TLS 1.2). */
  onKeyUpdateDue?: () => void;
  /** TLS 1.3 padding of sent records: TLSInnerPlaintext rounded up to a multiple of this (0 = none). */
  padding?: number;
}

/** Half-connection flags (tls_half_flags). */
const F_CLOSED = 1;
const F_KEY_UPDATE_DUE = 8;

/** Content sealed per core call when a large write is cut up (a whole number of fragments). */
const SEAL_CHUNK = 65536;

type SuiteArg = TlsCipherSuite | number | string;

function resolveSuite(s: SuiteArg, version?: TlsVersionName): TlsCipherSuite {
  const suite = typeof s === "object" ? s : cipherSuite(s);
  if (!suite) throw new TlsError("ERR_TLS_UNSUPPORTED_SUITE", `the record layer cannot protect cipher suite ${String(s)}`);
  if (version && suite.version !== version) throw new TlsError("ERR_TLS_UNSUPPORTED_SUITE", `${suite.name} is a TLS ${suite.version} suite, not TLS ${version}`);
  return suite;
}

export class TlsRecordLayer {
  readonly core: Core;
  readonly #fn: {
    feedWant: (r: number) => number;
    writePtr: (r: number) => number;
    commit: (r: number, h: number, n: number) => number;
    ready: (r: number) => number;
    open: (r: number, h: number, out: number, cap: number) => number;
    lastType: (h: number) => number;
    seal: (h: number, type: number, src: number, len: number, out: number, cap: number) => number;
    sealedSize: (h: number, type: number, len: number) => number;
    flags: (h: number) => number;
  };
  #read = 0;
  #write = 0;
  #reasm = 0;
  readonly #io: RecordIo;
  readonly #queue: Uint8Array[] = [];
  #queueOff = 0;
  readonly #onKeyUpdateDue: (() => void) | undefined;
  #keyUpdateSignalled = false;
  #readClosed = false;

  private constructor(core: Core, options: TlsRecordLayerOptions) {
    this.core = core;
    const f = (n: string) => core.fn(n) as (...a: number[]) => number;
    this.#fn = {
      feedWant: f("tls_reasm_want"),
      writePtr: f("tls_reasm_write_ptr"),
      commit: f("tls_reasm_commit"),
      ready: f("tls_reasm_ready"),
      open: f("tls_reasm_open"),
      lastType: f("tls_half_last_type"),
      seal: f("tls_record_seal"),
      sealedSize: f("tls_record_sealed_size"),
      flags: f("tls_half_flags"),
    };
    this.#onKeyUpdateDue = options.onKeyUpdateDue;
    this.#io = recordIo(core);
  }

  /** Creates both half connections (unprotected until keys are installed) and the reassembly buffer in the core's arena. */
  static create(core: Core, options: TlsRecordLayerOptions = {}): TlsRecordLayer {
    const rl = new TlsRecordLayer(core, options);
    try {
      const halfSize = core.fn("tls_half_ctx_size")();
      rl.#read = core.arena.alloc(halfSize);
      rl.#write = core.arena.alloc(halfSize);
      rl.#reasm = core.arena.alloc(core.fn("tls_reasm_ctx_size")());
      rl.check(core.fn("tls_half_init")(rl.#read, 0), "tls_half_init");
      rl.check(core.fn("tls_half_init")(rl.#write, 1), "tls_half_init");
      rl.check(core.fn("tls_reasm_init")(rl.#reasm), "tls_reasm_init");
      if (options.usageLimits) rl.setUsageLimits(options.usageLimits);
      if (options.padding !== undefined) rl.setPadding(options.padding);
    } catch (e) {
      rl.destroy();
      throw e;
    }
    return rl;
  }

  // ------------------------------------------------------------------ reading

  /**
   * Queues bytes received from the transport. The bytes are read when records are pulled, so the
   * caller must not modify the buffer afterwards (Node's socket chunks are never reused).
   */
  feed(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#queue.push(bytes);
  }

  /**
   * The next record's content, or null when more bytes are needed (or the peer has sent
   * close_notify: see readClosed). Compatibility change_cipher_spec records of TLS 1.3 are dropped
   * here. Throws TlsAlertError on a record that must be refused or a fatal alert from the peer.
   */
  readRecord(): TlsRecord | null {
    const fn = this.#fn;
    const r = this.reasm;
    const h = this.#read;
    for (;;) {
      if (this.#readClosed) {
        this.#queue.length = 0;
        this.#queueOff = 0;
        return null;
      }
      if (fn.ready(r) === 0 && !this.pull()) return null;
      const buf = this.#io.open;
      const n = fn.open(r, h, buf, OPEN_CAPACITY);
      if (n < 0) throw this.readFailure(n);
      const type = fn.lastType(h) as ContentType;
      if (type === ContentType.changeCipherSpec && n === 0) continue; // dropped (RFC 8446 §5)
      // close_notify (RFC 8446 §6.1): deliver it, then ignore everything after it
      if (type === ContentType.alert && (fn.flags(h) & F_CLOSED) !== 0) this.#readClosed = true;
      const u8 = this.core.u8;
      const data = u8.slice(buf, buf + n);
      u8.fill(0, buf, buf + n); // the shared staging area keeps no plaintext
      return { type, data };
    }
  }

  /** Every record available now (stops early by throwing, like readRecord). */
  readRecords(): TlsRecord[] {
    const out: TlsRecord[] = [];
    for (let rec = this.readRecord(); rec; rec = this.readRecord()) out.push(rec);
    return out;
  }

  /** Moves queued bytes into the reassembly buffer until a record is complete; false when the queue ran dry first. */
  private pull(): boolean {
    const fn = this.#fn;
    const r = this.reasm;
    const h = this.#read;
    const u8 = this.core.u8;
    const queue = this.#queue;
    while (queue.length > 0) {
      const want = fn.feedWant(r);
      if (want <= 0) return true;
      const chunk = queue[0]!;
      const off = this.#queueOff;
      const n = Math.min(want, chunk.length - off);
      u8.set(n === chunk.length ? chunk : chunk.subarray(off, off + n), fn.writePtr(r));
      if (off + n === chunk.length) {
        queue.shift();
        this.#queueOff = 0;
      } else {
        this.#queueOff = off + n;
      }
      const st = fn.commit(r, h, n);
      if (st < 0) throw this.readFailure(st);
    }
    return fn.feedWant(r) === 0;
  }

  /** Builds the error for a failed read; for an alert this side must send, seals it on the write half. */
  private readFailure(status: number): Error {
    const received = this.core.fn("tls_half_alert")(this.#read);
    const err = tlsStatusError(status, "TLS record layer (read)", received);
    if (err instanceof TlsAlertError && err.direction === "sent" && this.core.fn("tls_half_error")(this.#write) === 0) {
      const record = this.sealAlert(err.alertNumber, AlertLevel.fatal);
      return new TlsAlertError(err.alertNumber, "sent", err.message, { status, alertRecord: record });
    }
    return err;
  }

  /** Bytes fed but not yet delivered as records (queued plus a partial record). */
  get pendingInput(): number {
    let n = this.core.fn("tls_reasm_pending")(this.reasm);
    for (let i = 0; i < this.#queue.length; i++) n += this.#queue[i]!.length - (i === 0 ? this.#queueOff : 0);
    return n;
  }

  /** True when the input stopped at a record boundary: an end of stream here is not a truncated record. */
  get atRecordBoundary(): boolean {
    return this.pendingInput === 0;
  }

  /** True once the peer's close_notify has been read; later input is ignored (RFC 8446 §6.1). */
  get readClosed(): boolean {
    return this.#readClosed;
  }

  // ------------------------------------------------------------------ writing

  /**
   * Protects content of one type (handshake, application_data, or change_cipher_spec {1}) into
   * records of at most maxFragment bytes each, and returns the bytes to write to the transport.
   * Alerts go through sealAlert().
   */
  seal(type: ContentType, data: Uint8Array): Uint8Array {
    if (type === ContentType.alert) throw new TlsError("ERR_TLS_ARG", "alerts are sealed with sealAlert()");
    const h = this.half("write");
    const fn = this.#fn;
    const total = fn.sealedSize(h, type, data.length);
    if (total < 0) throw tlsStatusError(total, "tls_record_sealed_size");
    const frag = this.maxFragment;
    const chunk = Math.max(frag, Math.floor(SEAL_CHUNK / frag) * frag);
    const result = new Uint8Array(total);
    let off = 0;
    let pos = 0;
    do {
      const n = Math.min(chunk, data.length - off);
      const piece = data.subarray(off, off + n);
      const need = fn.sealedSize(h, type, n);
      const io = this.#io;
      io.ensureSeal(n, need);
      const u8 = this.core.u8;
      u8.set(piece, io.sealIn);
      const w = fn.seal(h, type, io.sealIn, n, io.sealOut, io.sealOutCap);
      u8.fill(0, io.sealIn, io.sealIn + n); // the shared staging area keeps no plaintext
      if (w < 0) throw this.writeFailure(w);
      result.set(u8.subarray(io.sealOut, io.sealOut + w), pos);
      pos += w;
      off += n;
    } while (off < data.length);
    this.checkKeyUpdateDue();
    return pos === total ? result : result.subarray(0, pos);
  }

  /** Seals an alert. Level defaults to warning for close_notify/user_canceled, fatal otherwise. Closing alerts close the write direction. */
  sealAlert(alert: number | TlsAlertName, level?: AlertLevel): Uint8Array {
    const n = typeof alert === "number" ? alert : isAlertName(alert) ? TLS_ALERTS[alert] : -1;
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new TlsError("ERR_TLS_ARG", `unknown alert ${String(alert)}`);
    const lv = level ?? defaultAlertLevel(n);
    const io = this.#io;
    io.ensureSeal(2, 64);
    const w = this.core.fn("tls_alert_seal")(this.half("write"), lv, n, io.sealOut, io.sealOutCap);
    if (w < 0) throw this.writeFailure(w);
    return this.core.u8.slice(io.sealOut, io.sealOut + w);
  }

  /** close_notify: the write direction is closed afterwards. */
  closeNotify(): Uint8Array {
    return this.sealAlert(TLS_ALERTS.close_notify, AlertLevel.warning);
  }

  private writeFailure(status: number): Error {
    return tlsStatusError(status, "TLS record layer (write)", this.core.fn("tls_half_alert")(this.#write));
  }

  private checkKeyUpdateDue(): void {
    if (!this.#keyUpdateSignalled && this.keyUpdateDue) {
      this.#keyUpdateSignalled = true;
      this.#onKeyUpdateDue?.();
    }
  }

  /** True when the write key has protected `usageLimits.soft` records: time for a KeyUpdate. */
  get keyUpdateDue(): boolean {
    return (this.#fn.flags(this.#write) & F_KEY_UPDATE_DUE) !== 0;
  }

  /** The largest content one sealed record carries (2^14, or less under record_size_limit). */
  get maxFragment(): number {
    return this.check(this.core.fn("tls_half_max_fragment")(this.#write), "tls_half_max_fragment");
  }

  // ------------------------------------------------------------------ keys and settings

  /** The negotiated version, set before keys (e.g. TLS 1.2 after ServerHello, so record versions are checked). */
  setVersion(version: TlsVersionName, direction: RecordDirection | "both" = "both"): void {
    for (const h of this.halves(direction)) this.check(this.core.fn("tls_half_set_version")(h, VERSION_ID[version]), "tls_half_set_version");
  }

  /** legacy_record_version of unprotected records before a version is set (0x0301 for an initial ClientHello; default 0x0303). */
  setLegacyRecordVersion(version: number): void {
    this.check(this.core.fn("tls_half_set_record_version")(this.#write, version), "tls_half_set_record_version");
  }

  /** TLS 1.3: installs the traffic keys of `secret` for one direction (sequence number 0). The secret is copied into the half connection for KeyUpdate. */
  installTls13(direction: RecordDirection, suite: SuiteArg, secret: TlsSecret): void {
    const s = resolveSuite(suite, "1.3");
    this.check(this.core.fn("tls13_half_install")(this.half(direction), AEAD_ID[s.aead], HASH_ID[s.hash], secret.ptr, secret.length), "tls13_half_install");
    if (direction === "write") this.#keyUpdateSignalled = false;
  }

  /** TLS 1.2: installs the client's or server's write keys from the key block, for one direction. */
  installTls12(direction: RecordDirection, suite: SuiteArg, schedule: Tls12KeySchedule, side: Tls12Sender): void {
    const s = resolveSuite(suite, "1.2");
    const rp = schedule.randomsPtr;
    this.check(
      this.core.fn("tls12_half_install")(this.half(direction), AEAD_ID[s.aead], HASH_ID[s.hash], schedule.masterSecret.ptr, 48, rp, rp + 32, SENDER_ID[side]),
      "tls12_half_install",
    );
    if (direction === "write") this.#keyUpdateSignalled = false;
  }

  /** Raw keys (test vectors, interop diagnostics): TLS 1.3 key + 12-byte IV, or TLS 1.2 key + 4-byte salt. */
  installKeys(direction: RecordDirection, suite: SuiteArg, key: Uint8Array, iv: Uint8Array): void {
    const s = resolveSuite(suite);
    this.core.withBlocks([Math.max(1, key.length), Math.max(1, iv.length)], (pk, pi) => {
      this.core.u8.set(key, pk!);
      this.core.u8.set(iv, pi!);
      this.check(this.core.fn("tls_half_set_key")(this.half(direction), VERSION_ID[s.version], AEAD_ID[s.aead], pk!, key.length, pi!, iv.length), "tls_half_set_key");
    });
    if (direction === "write") this.#keyUpdateSignalled = false;
  }

  /** TLS 1.3 KeyUpdate of one direction: next traffic secret, new key and IV, sequence number 0 (RFC 8446 §4.6.3, §7.2). */
  keyUpdate(direction: RecordDirection): void {
    const r = this.core.fn("tls13_half_key_update")(this.half(direction));
    if (r < 0) throw tlsStatusError(r, "tls13_half_key_update", this.core.fn("tls_half_alert")(this.half(direction)));
    if (direction === "write") this.#keyUpdateSignalled = false;
  }

  /** record_size_limit (RFC 8449): "read" enforces the limit we advertised, "write" obeys the peer's. 0 = protocol maximum. */
  setRecordSizeLimit(direction: RecordDirection, limit: number): void {
    this.check(this.core.fn("tls_half_set_record_size_limit")(this.half(direction), limit), "tls_half_set_record_size_limit");
  }

  /** TLS 1.3 padding of sent records (0 = none). */
  setPadding(block: number): void {
    this.check(this.core.fn("tls_half_set_padding")(this.#write, block), "tls_half_set_padding");
  }

  /**
   * RFC 8446 §5: an unprotected change_cipher_spec {0x01} is dropped while allowed (from the first
   * ClientHello until the peer's Finished), and is unexpected_message otherwise.
   */
  allowCompatibilityChangeCipherSpec(allowed: boolean): void {
    this.check(this.core.fn("tls_half_set_ccs_allowed")(this.#read, allowed ? 1 : 0), "tls_half_set_ccs_allowed");
  }

  setUsageLimits(limits: TlsUsageLimits): void {
    this.check(this.core.fn("tls_half_set_usage_limits")(this.#write, limits.soft, limits.hard), "tls_half_set_usage_limits");
  }

  /** The next sequence number of a direction. */
  sequence(direction: RecordDirection): bigint {
    return BigInt.asUintN(64, BigInt(this.core.fn("tls_half_seq")(this.half(direction)) as unknown as bigint));
  }

  /** The version of a direction, once set. */
  version(direction: RecordDirection): TlsVersionName | undefined {
    const v = this.core.fn("tls_half_version")(this.half(direction));
    return v === 0x0304 ? "1.3" : v === 0x0303 ? "1.2" : undefined;
  }

  /** The sticky error of a direction as the error readRecord()/seal() would throw, or undefined. */
  failure(direction: RecordDirection): Error | undefined {
    const h = this.half(direction);
    const st = this.core.fn("tls_half_error")(h);
    if (st === 0) return undefined;
    return tlsStatusError(st, `TLS record layer (${direction})`, this.core.fn("tls_half_alert")(h));
  }

  /** Wipes both half connections (keys, IVs, secrets) and the reassembly buffer, and frees them. Idempotent. */
  destroy(): void {
    const a = this.core.arena;
    if (this.#read) { this.core.fn("tls_half_close")(this.#read); a.release(this.#read); this.#read = 0; }
    if (this.#write) { this.core.fn("tls_half_close")(this.#write); a.release(this.#write); this.#write = 0; }
    if (this.#reasm) { this.core.fn("tls_reasm_close")(this.#reasm); a.release(this.#reasm); this.#reasm = 0; }
    this.#queue.length = 0;
  }

  get destroyed(): boolean {
    return this.#read === 0;
  }

  // ------------------------------------------------------------------ internals

  private get reasm(): number {
    if (this.#reasm === 0) throw new TlsError("ERR_TLS_DESTROYED", "this record layer has been destroyed");
    return this.#reasm;
  }

  private half(direction: RecordDirection): number {
    if (this.#read === 0) throw new TlsError("ERR_TLS_DESTROYED", "this record layer has been destroyed");
    if (direction !== "read" && direction !== "write") throw new TlsError("ERR_TLS_ARG", `direction must be "read" or "write", not ${String(direction)}`);
    return direction === "read" ? this.#read : this.#write;
  }

  private halves(direction: RecordDirection | "both"): number[] {
    return direction === "both" ? [this.half("read"), this.half("write")] : [this.half(direction)];
  }

  private check(r: number, where: string): number {
    if (r < 0) throw tlsStatusError(r, where);
    return r;
  }
}
