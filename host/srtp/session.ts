// SrtpSender / SrtpReceiver: typed wrappers over one SRTP session context in the core (one per
// direction). Each keeps a long-lived I/O buffer in the arena: a packet is copied in once, protected
// or unprotected in place by the core, and copied out once; nothing is allocated in the arena per
// packet. protectBatch / unprotectBatch process many packets per host->wasm crossing.
import { randomBytes } from "node:crypto";
import type { Core, CoreFn } from "../core/load-core.js";
import { statusInfo } from "../core/status.js";
import { SrtpError, type SrtpErrorCode } from "./errors.js";
import { srtpProfile, type SrtpProfileInfo, type SrtpProfileName } from "./profiles.js";
import { MAX_OVERHEAD, MAX_PACKET, type SrtpBuffers } from "./buffers.js";

export interface SrtpKey {
  masterKey: Uint8Array;
  masterSalt: Uint8Array;
  /** Master key identifier, 1..4 octets; either every key of a session has one (same length) or none does. */
  mki?: Uint8Array;
  /** SDES lifetime of this key in packets (e.g. 2 ** 31); default 2^48 SRTP / 2^31 SRTCP. */
  lifetime?: number;
}

export interface SrtpKeyLimitEvent {
  mki?: Uint8Array;
  /** Packets left under this key (the smaller of its SRTP and SRTCP allowances). */
  remaining: number;
  /** true: the key is used up; the next packet under it fails with ERR_SRTP_KEY_EXPIRED. */
  hard: boolean;
}

export interface SrtpOptions extends SrtpKey {
  profile: SrtpProfileName;
  /** Replay window in packets, 64..32767 (default 128). */
  replayWindow?: number;
  /** Sender: allow protecting a sequence number again (retransmission). Default false. */
  allowRepeatTx?: boolean;
  /** Called when a master key passes its soft limit (2^16 packets, or half of a small lifetime, before the end) and when it is used up. */
  onKeyLimit?: (e: SrtpKeyLimitEvent) => void;
  /** Most SSRCs the session tracks at once (default 64; up to 2^20). */
  maxStreams?: number;
  /** Most master keys held at once (default 4 with an MKI, 1 without; up to 15). */
  maxKeys?: number;
  /**
   * SRTCP tag length override for the HMAC profiles (4..10 octets), for peers outside the RFC
   * pairing (e.g. a 32-bit SRTCP tag with a `_32` suite). Default: the profile's.
   */
  srtcpTagLength?: number;
}

export interface SrtpStats {
  /** SRTP + SRTCP packets processed successfully. */
  packets: number;
  /** Plaintext RTP/RTCP octets of those packets. */
  bytes: number;
  authFailures: number;
  /** Packets refused as replayed or too old. */
  replays: number;
  /** SRTP + SRTCP packets processed under the current master key (sender: the active key; receiver: the key of the last packet). */
  keyUses: number;
}

export interface SrtpBatchOptions {
  /** Process RTCP/SRTCP packets instead of RTP/SRTP. */
  rtcp?: boolean;
}

/** A batch result: the output packet, or the error that packet met (batches do not throw per packet). */
export type SrtpBatchResult = Uint8Array | SrtpError;

const DIR_SENDER = 1;
const DIR_RECEIVER = 2;
// Session header fields the host reads directly (assembly/srtp/layout.ts).
const S_EVENTS = 4;
const S_ERR_SSRC = 112;
const S_ERR_FLAGS = 116;
const S_ERR_INDEX = 120;

interface Fns {
  protect: CoreFn;
  unprotect: CoreFn;
  protectRtcp: CoreFn;
  unprotectRtcp: CoreFn;
  batch: CoreFn;
}

function isBytes(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array;
}

function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new SrtpError("ERR_SRTP_ARG", `${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  }
  return v;
}

function checkU32(name: string, v: unknown): number {
  return checkInt(name, v, 0, 0xffffffff);
}

export abstract class SrtpSession {
  readonly profile: SrtpProfileInfo;
  readonly replayWindow: number;
  readonly maxStreams: number;
  readonly maxKeys: number;
  readonly mkiLength: number;
  /** Bytes of the session context in the core's arena. */
  readonly contextSize: number;
  protected readonly core: Core;
  protected ctx: number;
  private readonly buffers: SrtpBuffers;
  private readonly fns: Fns;
  private readonly onKeyLimit: ((e: SrtpKeyLimitEvent) => void) | undefined;
  private view: DataView;
  /** A view of the core's memory. The memory never grows (initial = maximum), so it never detaches. */
  private readonly mem: Uint8Array;
  private closed = false;

  protected constructor(core: Core, direction: number, opts: SrtpOptions) {
    if (opts === null || typeof opts !== "object") throw new SrtpError("ERR_SRTP_ARG", "SRTP options must be an object");
    this.core = core;
    this.profile = srtpProfile(opts.profile);
    this.replayWindow = opts.replayWindow === undefined ? 128 : checkInt("replayWindow", opts.replayWindow, 64, 32767);
    this.mkiLength = opts.mki === undefined ? 0 : opts.mki.length;
    if (opts.mki !== undefined && (!isBytes(opts.mki) || opts.mki.length < 1 || opts.mki.length > 4)) {
      throw new SrtpError("ERR_SRTP_MKI", "an MKI must be 1..4 octets");
    }
    this.maxStreams = opts.maxStreams === undefined ? 64 : checkInt("maxStreams", opts.maxStreams, 1, 1 << 20);
    this.maxKeys = opts.maxKeys === undefined ? (this.mkiLength > 0 ? 4 : 1) : checkInt("maxKeys", opts.maxKeys, 1, 15);
    let flags = opts.allowRepeatTx ? 1 : 0;
    if (opts.srtcpTagLength !== undefined) {
      if (this.profile.cipher === "aes-gcm") throw new SrtpError("ERR_SRTP_ARG", "srtcpTagLength applies to the HMAC profiles only");
      flags |= checkInt("srtcpTagLength", opts.srtcpTagLength, 4, 10) << 8;
    }
    if (opts.onKeyLimit !== undefined && typeof opts.onKeyLimit !== "function") throw new SrtpError("ERR_SRTP_ARG", "onKeyLimit must be a function");
    this.onKeyLimit = opts.onKeyLimit;
    this.fns = {
      protect: core.fn("srtp_protect"),
      unprotect: core.fn("srtp_unprotect"),
      protectRtcp: core.fn("srtcp_protect"),
      unprotectRtcp: core.fn("srtcp_unprotect"),
      batch: core.fn("srtp_batch"),
    };
    const size = core.fn("srtp_session_size")(this.maxStreams, this.maxKeys, this.replayWindow, this.profile.id);
    if (size < 0) throw this.statusError(size, "srtp_session_size");
    this.contextSize = size;
    this.view = new DataView(core.memory.buffer);
    this.mem = core.u8;
    this.buffers = core.srtp.buffers;
    this.ctx = core.arena.alloc(size, 16);
    try {
      const seed = randomBytes(4).readUInt32LE(0);
      const r = core.fn("srtp_session_init")(this.ctx, size, direction, this.profile.id, this.maxStreams, this.maxKeys, this.replayWindow, flags, this.mkiLength, seed);
      if (r < 0) throw this.statusError(r, "srtp_session_init");
      this.addKey(opts);
    } catch (e) {
      this.release();
      throw e;
    }
  }

  // ---- keys ----

  /** Adds a master key (with the session's MKI length). The first key becomes the active one. */
  addKey(k: SrtpKey): void {
    this.open();
    if (k === null || typeof k !== "object" || !isBytes(k.masterKey) || !isBytes(k.masterSalt)) {
      throw new SrtpError("ERR_SRTP_KEY", "a key needs masterKey and masterSalt as Uint8Array");
    }
    const mki = k.mki ?? new Uint8Array(0);
    if (!isBytes(mki)) throw new SrtpError("ERR_SRTP_MKI", "mki must be a Uint8Array");
    if (mki.length !== this.mkiLength) {
      throw new SrtpError("ERR_SRTP_MKI", `every key of this session needs a ${this.mkiLength}-octet MKI, got ${mki.length}`);
    }
    let lifetime = 0;
    if (k.lifetime !== undefined) lifetime = checkInt("lifetime", k.lifetime, 1, 2 ** 48);
    const core = this.core;
    const { masterKey, masterSalt } = k;
    const r = core.withBlocks([masterKey.length, masterSalt.length, mki.length], (pk, ps, pm) => {
      const u8 = core.u8;
      u8.set(masterKey, pk!);
      u8.set(masterSalt, ps!);
      u8.set(mki, pm!);
      return core.fn("srtp_key_add")(this.ctx, pk!, masterKey.length, ps!, masterSalt.length, pm!, mki.length, lifetime);
    });
    if (r < 0) throw this.statusError(r, "addKey");
  }

  /**
   * Adds a key given by its session keys (SRTP k_e || k_a || k_s || SRTCP k_e || k_a || k_s; no k_a
   * for AEAD). For known-answer tests that publish session keys only (RFC 7714 §16-17).
   */
  addSessionKeys(keys: Uint8Array, mki?: Uint8Array, lifetime = 0): void {
    this.open();
    const m = mki ?? new Uint8Array(0);
    const core = this.core;
    const r = core.withBlocks([keys.length, m.length], (pk, pm) => {
      core.u8.set(keys, pk!);
      core.u8.set(m, pm!);
      return core.fn("srtp_key_add_session_keys")(this.ctx, pk!, keys.length, pm!, m.length, lifetime);
    });
    if (r < 0) throw this.statusError(r, "addSessionKeys");
  }

  /** Makes the key with this MKI the active one (the one the sender protects with). */
  useKey(mki: Uint8Array): void {
    this.mkiCall("srtp_key_use", mki);
  }

  /**
   * Removes and wipes the key with this MKI (a session without MKIs: its one key, mki omitted).
   * Removing the active key leaves the session without one until useKey / addKey.
   */
  removeKey(mki: Uint8Array = new Uint8Array(0)): void {
    this.mkiCall("srtp_key_remove", mki);
  }

  private mkiCall(name: string, mki: Uint8Array): void {
    this.open();
    if (!isBytes(mki) || mki.length > 4) throw new SrtpError("ERR_SRTP_MKI", "mki must be a Uint8Array of 1..4 octets");
    const scratch = this.buffers.scratch;
    this.core.u8.set(mki, scratch);
    const r = this.core.fn(name)(this.ctx, scratch, mki.length);
    if (r < 0) throw this.statusError(r, name);
  }

  // ---- streams ----

  /** The rollover counter of a stream (of its highest index, or the one set for its first packet). */
  getRoc(ssrc: number): number {
    this.open();
    const scratch = this.buffers.scratch;
    const r = this.core.fn("srtp_get_roc")(this.ctx, checkU32("ssrc", ssrc), scratch);
    if (r < 0) throw this.statusError(r, "getRoc", ssrc);
    return this.view.getUint32(scratch, true);
  }

  /** Sets a stream's rollover counter (creating the stream if needed). */
  setRoc(ssrc: number, roc: number): void {
    this.open();
    const r = this.core.fn("srtp_set_roc")(this.ctx, checkU32("ssrc", ssrc), checkU32("roc", roc));
    if (r < 0) throw this.statusError(r, "setRoc", ssrc);
  }

  /** Sender: the next SRTCP index to send; receiver: the highest SRTCP index received. */
  getSrtcpIndex(ssrc: number): number {
    this.open();
    const scratch = this.buffers.scratch;
    const r = this.core.fn("srtcp_get_index")(this.ctx, checkU32("ssrc", ssrc), scratch);
    if (r < 0) throw this.statusError(r, "getSrtcpIndex", ssrc);
    return this.view.getUint32(scratch, true);
  }

  /** Sender: sets the next SRTCP index (0..2^31); receiver: the highest received (window restarts). */
  setSrtcpIndex(ssrc: number, index: number): void {
    this.open();
    const r = this.core.fn("srtcp_set_index")(this.ctx, checkU32("ssrc", ssrc), checkInt("index", index, 0, 2 ** 31));
    if (r < 0) throw this.statusError(r, "setSrtcpIndex", ssrc);
  }

  /** Forgets a stream; its state in the core is wiped. */
  removeStream(ssrc: number): void {
    this.open();
    const r = this.core.fn("srtp_stream_remove")(this.ctx, checkU32("ssrc", ssrc));
    if (r < 0) throw this.statusError(r, "removeStream", ssrc);
  }

  /** Number of SSRCs the session holds state for. */
  get streamCount(): number {
    this.open();
    return this.core.fn("srtp_stream_count")(this.ctx);
  }

  /** Counters of one stream, or of the whole session (which also counts packets of unknown SSRCs). */
  stats(ssrc?: number): SrtpStats {
    this.open();
    const whole = ssrc === undefined;
    const s = this.buffers.scratch;
    const r = this.core.fn("srtp_stats")(this.ctx, whole ? 0 : checkU32("ssrc", ssrc), whole ? 1 : 0, s);
    if (r < 0) throw this.statusError(r, "stats", ssrc);
    const v = this.view;
    const u64 = (off: number) => Number(v.getBigUint64(s + off, true));
    const out: SrtpStats = { packets: u64(0), bytes: u64(8), authFailures: u64(16), replays: u64(24), keyUses: 0 };
    const k = this.keyInfo(this instanceof SrtpSender ? -1 : -2);
    if (k) out.keyUses = k.srtpUses + k.srtcpUses;
    return out;
  }

  /** Usage of a key slot (-1: the active key, -2: the key of the last packet), or undefined. */
  private keyInfo(slot: number): { srtpUses: number; srtpLimit: number; srtcpUses: number; srtcpLimit: number; mki: Uint8Array | undefined } | undefined {
    const s = this.buffers.scratch;
    const r = this.core.fn("srtp_key_info")(this.ctx, slot, s);
    if (r < 0) return undefined;
    const v = this.view;
    const mkiLen = v.getUint8(s + 33);
    return {
      srtpUses: Number(v.getBigUint64(s, true)),
      srtpLimit: Number(v.getBigUint64(s + 8, true)),
      srtcpUses: Number(v.getBigUint64(s + 16, true)),
      srtcpLimit: Number(v.getBigUint64(s + 24, true)),
      mki: mkiLen > 0 ? this.core.u8.slice(s + 34, s + 34 + mkiLen) : undefined,
    };
  }

  /** Wipes the session (keys, streams) and returns its arena blocks. Further calls fail with ERR_SRTP_STATE. */
  close(): void {
    if (this.closed) return;
    this.release();
  }

  private release(): void {
    this.closed = true;
    const a = this.core.arena;
    if (this.ctx !== 0 && a.sizeOf(this.ctx) !== undefined) a.release(this.ctx);
    this.ctx = 0;
  }

  protected open(): void {
    if (this.closed) throw new SrtpError("ERR_SRTP_STATE", "this SRTP session is closed");
  }

  // ---- packets ----

  /**
   * Runs one packet call: copy in, call in place in the core's shared I/O buffer (capacity = the
   * caller's output size when given), and return the result length (the result is at buffers.io
   * until the next call). On failure, key-limit events are delivered and the error thrown; on
   * success the caller copies the result out, then calls events().
   */
  protected run(fn: CoreFn, pkt: Uint8Array, outCap: number | undefined, where: string): number {
    if (this.closed) this.open();
    if (!(pkt instanceof Uint8Array)) throw new SrtpError("ERR_SRTP_ARG", `${where}: the packet must be a Uint8Array`);
    const b = this.buffers;
    const need = pkt.length + MAX_OVERHEAD;
    if (need > b.ioCap) b.growIo(need);
    const io = b.io;
    this.mem.set(pkt, io);
    const cap = outCap === undefined ? b.ioCap : Math.min(outCap, b.ioCap);
    const r = fn(this.ctx, io, pkt.length, io, cap);
    if (r < 0) {
      const e = this.packetError(r, where);
      this.events();
      throw e;
    }
    return r;
  }

  /**
   * Runs one packet call in place on `pkt[0..length)` with capacity `pkt.length`. When `pkt` is a
   * view of the core's memory (core.srtp.allocPacket, an SrtpBatch slot) the core works on it
   * directly: no copy in, no copy out. Otherwise the bytes are copied through the I/O buffer and
   * back into `pkt`. Returns the new length; on failure `pkt` is left as it was and the error thrown.
   */
  protected runInPlace(fn: CoreFn, pkt: Uint8Array, length: number | undefined, where: string): number {
    if (this.closed) this.open();
    if (!(pkt instanceof Uint8Array)) throw new SrtpError("ERR_SRTP_ARG", `${where}: the packet must be a Uint8Array`);
    const len = length === undefined ? pkt.length : length;
    if (!Number.isInteger(len) || len < 0 || len > pkt.length) throw new SrtpError("ERR_SRTP_ARG", `${where}: length ${String(length)} is not within the buffer (${pkt.length})`);
    if (pkt.buffer === this.mem.buffer) {
      const at = pkt.byteOffset;
      const r = fn(this.ctx, at, len, at, pkt.length);
      if (r < 0) {
        const e = this.packetError(r, where);
        this.events();
        throw e;
      }
      this.events();
      return r;
    }
    const r = this.run(fn, len === pkt.length ? pkt : pkt.subarray(0, len), pkt.length, where);
    pkt.set(this.mem.subarray(this.buffers.io, this.buffers.io + r));
    this.events();
    return r;
  }

  /** The session's context address in the core (for SrtpBatch descriptors). @internal */
  contextAddress(): number {
    this.open();
    return this.ctx;
  }

  /** Delivers key-limit events a batch raised for this session. @internal */
  flushEvents(): void {
    if (!this.closed) this.events();
  }

  /** Delivers pending key-limit events (after the result was copied out: a handler may call in again). */
  protected events(): void {
    if (this.view.getUint32(this.ctx + S_EVENTS, true) !== 0) this.deliverEvents();
  }

  protected result(n: number): Uint8Array {
    const io = this.buffers.io;
    const out = this.mem.slice(io, io + n);
    this.events();
    return out;
  }

  /**
   * The per-packet path of protectInto / unprotectInto (and the RTCP ones): run() and the copy out
   * in one method, with no allocation per packet (the result is copied out of a kept view of the
   * I/O buffer). Same checks, in the same order, and the same errors as run() followed by a copy.
   */
  protected runInto(fn: CoreFn, pkt: Uint8Array, out: Uint8Array, where: string): number {
    if (this.closed) this.open();
    if (!(pkt instanceof Uint8Array)) throw new SrtpError("ERR_SRTP_ARG", `${where}: the packet must be a Uint8Array`);
    const b = this.buffers;
    const len = pkt.length;
    if (len + MAX_OVERHEAD > b.ioCap) b.growIo(len + MAX_OVERHEAD);
    const io = b.io;
    const ioCap = b.ioCap;
    this.mem.set(pkt, io);
    const outCap = out.length;
    const ctx = this.ctx;
    const r = fn(ctx, io, len, io, outCap < ioCap ? outCap : ioCap);
    if (r < 0) {
      const e = this.packetError(r, where);
      this.events();
      throw e;
    }
    out.set(b.ioView(r));
    if (this.view.getUint32(ctx + S_EVENTS, true) !== 0) this.deliverEvents();
    return r;
  }

  protected fn(): Fns {
    return this.fns;
  }

  /** Processes many packets in one core call; results come back in order, errors as SrtpError values. */
  protected runBatch(op: number, packets: readonly Uint8Array[], where: string): SrtpBatchResult[] {
    this.open();
    if (!Array.isArray(packets)) throw new SrtpError("ERR_SRTP_ARG", `${where}: packets must be an array of Uint8Array`);
    const n = packets.length;
    if (n === 0) return [];
    let total = n * 16;
    for (const p of packets) {
      if (!isBytes(p)) throw new SrtpError("ERR_SRTP_ARG", `${where}: every packet must be a Uint8Array`);
      if (p.length + MAX_OVERHEAD > MAX_PACKET) throw new SrtpError("ERR_SRTP_MALFORMED", `${where}: a packet of ${p.length} octets is longer than any RTP/RTCP packet`);
      total += (p.length + MAX_OVERHEAD + 15) & ~15;
    }
    const u8 = this.core.u8;
    const v = this.view;
    const descs = this.buffers.batch(total);
    let at = descs + n * 16;
    for (let i = 0; i < n; i++) {
      const p = packets[i]!;
      const cap = (p.length + MAX_OVERHEAD + 15) & ~15;
      u8.set(p, at);
      const d = descs + i * 16;
      v.setUint32(d, at, true);
      v.setUint32(d + 4, p.length, true);
      v.setUint32(d + 8, cap, true);
      v.setInt32(d + 12, 0, true);
      at += cap;
    }
    const r = this.fns.batch(this.ctx, op, descs, n);
    if (r < 0) {
      this.events();
      throw this.statusError(r, where);
    }
    // One copy of the whole packet area, then a view per packet (no allocation per packet).
    const first = descs + n * 16;
    const copy = u8.slice(first, at);
    const out: SrtpBatchResult[] = new Array(n);
    const rtcp = op >= 2;
    for (let i = 0; i < n; i++) {
      const d = descs + i * 16;
      const ptr = v.getUint32(d, true) - first;
      const res = v.getInt32(d + 12, true);
      if (res >= 0) out[i] = copy.subarray(ptr, ptr + res);
      else {
        const p = packets[i]!;
        const ssrcOff = rtcp ? 4 : 8;
        const ssrc = p.length >= ssrcOff + 4 ? ((p[ssrcOff]! << 24) | (p[ssrcOff + 1]! << 16) | (p[ssrcOff + 2]! << 8) | p[ssrcOff + 3]!) >>> 0 : undefined;
        out[i] = this.makeError(res, where, ssrc, undefined);
      }
    }
    this.events();
    return out;
  }

  private deliverEvents(): void {
    const ev = this.core.fn("srtp_events")(this.ctx);
    if (ev <= 0 || !this.onKeyLimit) return;
    for (let slot = 0; slot < 15; slot++) {
      const soft = (ev >>> slot) & 1;
      const hard = (ev >>> (16 + slot)) & 1;
      if (!soft && !hard) continue;
      const k = this.keyInfo(slot);
      if (!k) continue;
      const remaining = Math.min(k.srtpLimit - k.srtpUses, k.srtcpLimit - k.srtcpUses);
      const e: SrtpKeyLimitEvent = { remaining, hard: hard === 1 };
      if (k.mki) e.mki = k.mki;
      this.onKeyLimit(e);
    }
  }

  private packetError(status: number, where: string): SrtpError {
    const v = this.view;
    const flags = v.getUint32(this.ctx + S_ERR_FLAGS, true);
    const ssrc = flags & 1 ? v.getUint32(this.ctx + S_ERR_SSRC, true) : undefined;
    const index = flags & 2 ? Number(v.getBigUint64(this.ctx + S_ERR_INDEX, true)) : undefined;
    return this.makeError(status, where, ssrc, index);
  }

  /** @internal */
  makeError(status: number, where: string, ssrc: number | undefined, index: number | undefined): SrtpError {
    const info = statusInfo(status);
    const code = (info.code.startsWith("ERR_SRTP_") ? info.code : status === -1 || status === -2 ? "ERR_SRTP_ARG" : "ERR_SRTP_STATE") as SrtpErrorCode;
    const at = ssrc !== undefined ? ` (SSRC 0x${ssrc.toString(16).padStart(8, "0")}${index !== undefined ? `, index ${index}` : ""})` : "";
    const details: { status: number; ssrc?: number; index?: number } = { status };
    if (ssrc !== undefined) details.ssrc = ssrc;
    if (index !== undefined) details.index = index;
    return new SrtpError(code, `${where}: ${info.text}${at}`, details);
  }

  protected statusError(status: number, where: string, ssrc?: number): SrtpError {
    return this.makeError(status, where, ssrc, undefined);
  }
}

/** Protects RTP and RTCP for one direction of a call. */
export class SrtpSender extends SrtpSession {
  constructor(core: Core, opts: SrtpOptions) {
    super(core, DIR_SENDER, opts);
  }

  /** Protects one RTP packet; returns a new SRTP packet. */
  protect(rtp: Uint8Array): Uint8Array {
    return this.result(this.run(this.fn().protect, rtp, undefined, "protect"));
  }

  /** Protects one RTP packet into out; returns the bytes written (ERR_SRTP_BUFFER when out is too short). */
  protectInto(rtp: Uint8Array, out: Uint8Array): number {
    if (!isBytes(out)) throw new SrtpError("ERR_SRTP_ARG", "protectInto: out must be a Uint8Array");
    return this.runInto(this.fn().protect, rtp, out, "protectInto");
  }

  /** Protects one RTCP (compound) packet; returns a new SRTCP packet. */
  protectRtcp(rtcp: Uint8Array): Uint8Array {
    return this.result(this.run(this.fn().protectRtcp, rtcp, undefined, "protectRtcp"));
  }

  /** Protects one RTCP packet into out; returns the bytes written. */
  protectRtcpInto(rtcp: Uint8Array, out: Uint8Array): number {
    if (!isBytes(out)) throw new SrtpError("ERR_SRTP_ARG", "protectRtcpInto: out must be a Uint8Array");
    return this.runInto(this.fn().protectRtcp, rtcp, out, "protectRtcpInto");
  }

  /**
   * Protects the RTP packet in `packet[0..length)` in place (`length` defaults to the whole view);
   * `packet.length` is the capacity (room for MKI and tag is needed). Returns the SRTP length.
   * Zero-copy when `packet` is a view of the core's memory (core.srtp.allocPacket, SrtpBatch slots).
   */
  protectInPlace(packet: Uint8Array, length?: number): number {
    return this.runInPlace(this.fn().protect, packet, length, "protectInPlace");
  }

  /** protectInPlace for an RTCP packet (room for the SRTCP trailer, MKI and tag is needed). */
  protectRtcpInPlace(packet: Uint8Array, length?: number): number {
    return this.runInPlace(this.fn().protectRtcp, packet, length, "protectRtcpInPlace");
  }

  /** Protects many RTP (or, with { rtcp: true }, RTCP) packets in one core call. */
  protectBatch(packets: readonly Uint8Array[], opts: SrtpBatchOptions = {}): SrtpBatchResult[] {
    return this.runBatch(opts.rtcp ? 2 : 0, packets, "protectBatch");
  }
}

/** Verifies and decrypts SRTP and SRTCP for one direction of a call. */
export class SrtpReceiver extends SrtpSession {
  constructor(core: Core, opts: SrtpOptions) {
    super(core, DIR_RECEIVER, opts);
  }

  /** Unprotects one SRTP packet; returns the RTP packet. */
  unprotect(srtp: Uint8Array): Uint8Array {
    return this.result(this.run(this.fn().unprotect, srtp, undefined, "unprotect"));
  }

  /** Unprotects one SRTP packet into out; returns the bytes written (ERR_SRTP_BUFFER when out is too short). */
  unprotectInto(srtp: Uint8Array, out: Uint8Array): number {
    if (!isBytes(out)) throw new SrtpError("ERR_SRTP_ARG", "unprotectInto: out must be a Uint8Array");
    return this.runInto(this.fn().unprotect, srtp, out, "unprotectInto");
  }

  /** Unprotects one SRTCP packet; returns the RTCP packet. */
  unprotectRtcp(srtcp: Uint8Array): Uint8Array {
    return this.result(this.run(this.fn().unprotectRtcp, srtcp, undefined, "unprotectRtcp"));
  }

  /** Unprotects one SRTCP packet into out; returns the bytes written. */
  unprotectRtcpInto(srtcp: Uint8Array, out: Uint8Array): number {
    if (!isBytes(out)) throw new SrtpError("ERR_SRTP_ARG", "unprotectRtcpInto: out must be a Uint8Array");
    return this.runInto(this.fn().unprotectRtcp, srtcp, out, "unprotectRtcpInto");
  }

  /**
   * Verifies and decrypts the SRTP packet in `packet[0..length)` in place; returns the RTP length.
   * Zero-copy when `packet` is a view of the core's memory. On failure the packet is left intact.
   */
  unprotectInPlace(packet: Uint8Array, length?: number): number {
    return this.runInPlace(this.fn().unprotect, packet, length, "unprotectInPlace");
  }

  /** unprotectInPlace for an SRTCP packet; returns the RTCP length. */
  unprotectRtcpInPlace(packet: Uint8Array, length?: number): number {
    return this.runInPlace(this.fn().unprotectRtcp, packet, length, "unprotectRtcpInPlace");
  }

  /** Unprotects many SRTP (or, with { rtcp: true }, SRTCP) packets in one core call. */
  unprotectBatch(packets: readonly Uint8Array[], opts: SrtpBatchOptions = {}): SrtpBatchResult[] {
    return this.runBatch(opts.rtcp ? 3 : 1, packets, "unprotectBatch");
  }
}

