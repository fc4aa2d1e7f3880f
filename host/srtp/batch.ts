// SrtpBatch: packet slots that live in the core's arena, processed many at a time and for many
// sessions in one host->wasm crossing (the core's srtp_batch_many). The host writes each packet
// straight into its slot (a Uint8Array view of the core's memory) and reads the result from the
// same view: nothing is copied between JavaScript and the core, and nothing is allocated per packet.
//
// This is the media path of a gateway at scale: at each 20 ms tick a worker fills one slot per call
// (the frame to send), sets the slot's session and length, and protects them all with one call;
// received packets go through unprotect the same way.
import type { Core, CoreFn } from "../core/load-core.js";
import { SrtpError } from "./errors.js";
import type { SrtpSession } from "./session.js";

/** Bytes of one descriptor of srtp_batch_many: u32 session, u32 ptr, u32 len, u32 cap, i32 result, u32 reserved. */
const DESC = 24;
const OP_PROTECT = 0;
const OP_UNPROTECT = 1;
const OP_PROTECT_RTCP = 2;
const OP_UNPROTECT_RTCP = 3;

export interface SrtpBatchParams {
  /** Number of packet slots (1..65536). Default 256. */
  slots?: number;
  /** Capacity of each slot in bytes, room for the SRTP overhead included (64..65560). Default 1536. */
  slotSize?: number;
}

export class SrtpBatch {
  readonly slots: number;
  readonly slotSize: number;
  private readonly core: Core;
  private readonly many: CoreFn;
  /** Arena block: descriptors, then the slots. */
  private block: number;
  private readonly slotBase: number;
  private readonly views: Uint8Array[];
  private readonly sessions: (SrtpSession | undefined)[];
  /** Descriptor words as u32 / i32 views of the core's memory (memory never grows: they stay valid). */
  private readonly u32: Uint32Array;
  private readonly i32: Int32Array;
  private readonly descWord: number;
  private lastOp = "";

  constructor(core: Core, params: SrtpBatchParams = {}) {
    const slots = params.slots ?? 256;
    const slotSize = params.slotSize ?? 1536;
    if (!Number.isInteger(slots) || slots < 1 || slots > 65536) throw new SrtpError("ERR_SRTP_ARG", `slots must be an integer in 1..65536, got ${String(slots)}`);
    if (!Number.isInteger(slotSize) || slotSize < 64 || slotSize > 65560) throw new SrtpError("ERR_SRTP_ARG", `slotSize must be an integer in 64..65560, got ${String(slotSize)}`);
    this.core = core;
    this.slots = slots;
    this.slotSize = (slotSize + 15) & ~15;
    this.many = core.fn("srtp_batch_many");
    const descBytes = (slots * DESC + 15) & ~15;
    this.block = core.arena.alloc(descBytes + slots * this.slotSize, 16);
    this.slotBase = this.block + descBytes;
    const buf = core.memory.buffer;
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.descWord = this.block >>> 2;
    this.views = [];
    this.sessions = new Array(slots).fill(undefined);
    for (let i = 0; i < slots; i++) {
      const at = this.slotBase + i * this.slotSize;
      this.views.push(new Uint8Array(buf, at, this.slotSize));
      const w = this.descWord + i * (DESC / 4);
      this.u32[w + 1] = at;
      this.u32[w + 3] = this.slotSize;
    }
  }

  /** The packet buffer of slot i: a view of the core's memory, `slotSize` bytes. Write the packet from offset 0. */
  slot(i: number): Uint8Array {
    this.live();
    const v = this.views[i];
    if (v === undefined) throw new SrtpError("ERR_SRTP_ARG", `slot ${String(i)} is not in 0..${this.slots - 1}`);
    return v;
  }

  /** Says that slot i holds `length` bytes for `session` (a sender to protect, a receiver to unprotect). */
  set(i: number, session: SrtpSession, length: number): void {
    this.live();
    if (!Number.isInteger(i) || i < 0 || i >= this.slots) throw new SrtpError("ERR_SRTP_ARG", `slot ${String(i)} is not in 0..${this.slots - 1}`);
    if (!Number.isInteger(length) || length < 0 || length > this.slotSize) throw new SrtpError("ERR_SRTP_ARG", `length ${String(length)} does not fit a slot of ${this.slotSize} bytes`);
    const w = this.descWord + i * (DESC / 4);
    this.u32[w] = session.contextAddress();
    this.u32[w + 2] = length;
    this.sessions[i] = session;
  }

  /**
   * Binds slot i to a session once (e.g. at call setup); then setLength(i, n) per packet is all a
   * tick needs. set() does both.
   */
  bind(i: number, session: SrtpSession): void {
    this.live();
    if (!Number.isInteger(i) || i < 0 || i >= this.slots) throw new SrtpError("ERR_SRTP_ARG", `slot ${String(i)} is not in 0..${this.slots - 1}`);
    this.u32[this.descWord + i * (DESC / 4)] = session.contextAddress();
    this.sessions[i] = session;
  }

  /**
   * The length of the packet in slot i (bound before): the per-packet hot path, one store. A
   * length past the slot is refused by the core for that packet (ERR_BOUNDS), not here.
   */
  setLength(i: number, length: number): void {
    this.u32[this.descWord + i * (DESC / 4) + 2] = length;
  }

  /** Copies `packet` into slot i and sets it (for packets that arrive in a JavaScript buffer, e.g. from a socket). */
  put(i: number, session: SrtpSession, packet: Uint8Array): void {
    if (packet.length > this.slotSize) throw new SrtpError("ERR_SRTP_ARG", `a packet of ${packet.length} bytes does not fit a slot of ${this.slotSize} bytes`);
    this.slot(i).set(packet);
    this.set(i, session, packet.length);
  }

  /** Protects RTP in slots 0..count-1 (senders). Returns how many succeeded; see result()/error(). */
  protect(count: number): number {
    return this.run(OP_PROTECT, count, "protect");
  }

  /** Unprotects SRTP in slots 0..count-1 (receivers). */
  unprotect(count: number): number {
    return this.run(OP_UNPROTECT, count, "unprotect");
  }

  /** Protects RTCP in slots 0..count-1 (senders). */
  protectRtcp(count: number): number {
    return this.run(OP_PROTECT_RTCP, count, "protectRtcp");
  }

  /** Unprotects SRTCP in slots 0..count-1 (receivers). */
  unprotectRtcp(count: number): number {
    return this.run(OP_UNPROTECT_RTCP, count, "unprotectRtcp");
  }

  /** The last run's outcome for slot i: the new length (>= 0; the packet is slot(i)[0..length)) or a negative status. */
  result(i: number): number {
    return this.i32[this.descWord + i * (DESC / 4) + 4]!;
  }

  /** The last run's error for slot i as an SrtpError, or undefined when that packet succeeded. */
  error(i: number): SrtpError | undefined {
    const r = this.result(i);
    if (r >= 0) return undefined;
    const s = this.sessions[i];
    if (!s) return new SrtpError("ERR_SRTP_STATE", `batch ${this.lastOp}: slot ${i} has no session`);
    return s.makeError(r, `batch ${this.lastOp}`, undefined, undefined);
  }

  /** Returns the slots to the core's arena (zeroed). The views must not be used afterwards. */
  release(): void {
    if (this.block === 0) return;
    this.core.arena.release(this.block);
    this.block = 0;
    this.sessions.fill(undefined);
  }

  private run(op: number, count: number, name: string): number {
    this.live();
    if (!Number.isInteger(count) || count < 0 || count > this.slots) throw new SrtpError("ERR_SRTP_ARG", `count ${String(count)} is not in 0..${this.slots}`);
    this.lastOp = name;
    for (let i = 0; i < count; i++) {
      if (!this.sessions[i]) throw new SrtpError("ERR_SRTP_ARG", `batch ${name}: slot ${i} was not set`);
    }
    const r = this.many(op, this.block, count);
    if (r < 0) throw new SrtpError("ERR_SRTP_STATE", `batch ${name}: the core refused the batch (status ${r})`);
    // key-limit events of every session in the batch (cheap: one word read per session)
    let prev: SrtpSession | undefined;
    for (let i = 0; i < count; i++) {
      const s = this.sessions[i]!;
      if (s !== prev) s.flushEvents();
      prev = s;
    }
    return r;
  }

  private live(): void {
    if (this.block === 0) throw new SrtpError("ERR_SRTP_STATE", "this SrtpBatch was released");
  }
}
