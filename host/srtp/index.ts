// core.srtp: the SRTP/SRTCP engine's typed host API (docs/api.md "SRTP").
import type { Core } from "../core/load-core.js";
import { SrtpReceiver, SrtpSender, type SrtpOptions } from "./session.js";
import { SRTP_PROFILES, srtpProfile, type SrtpProfileInfo, type SrtpProfileName } from "./profiles.js";
import { SrtpError } from "./errors.js";
import { SrtpBuffers, MAX_OVERHEAD } from "./buffers.js";
import { SrtpBatch, type SrtpBatchParams } from "./batch.js";

export { SrtpSender, SrtpReceiver, SrtpSession } from "./session.js";
export type { SrtpKey, SrtpOptions, SrtpStats, SrtpKeyLimitEvent, SrtpBatchOptions, SrtpBatchResult } from "./session.js";
export { SRTP_PROFILES, srtpProfile, srtpProfileByDtlsId } from "./profiles.js";
export type { SrtpProfileName, SrtpProfileInfo } from "./profiles.js";
export { SrtpError } from "./errors.js";
export { SrtpBatch } from "./batch.js";
export type { SrtpBatchParams } from "./batch.js";
export type { SrtpErrorCode, SrtpErrorDetails } from "./errors.js";

export interface SrtpSizes {
  /** Bytes of the whole session context. */
  session: number;
  /** Bytes per master key (session keys, AES/GCM/HMAC key contexts, MKI, counters). */
  perKey: number;
  /** Bytes per SSRC: the stream slot plus its share of the SSRC table. */
  perStream: number;
}

export class SrtpApi {
  /** Arena buffers shared by every session of this core (packet I/O, scratch, batches). */
  readonly buffers: SrtpBuffers;

  constructor(readonly core: Core) {
    this.buffers = new SrtpBuffers(core);
  }

  /** A sender (protects RTP/RTCP) for one direction of a call. */
  sender(opts: SrtpOptions): SrtpSender {
    return new SrtpSender(this.core, opts);
  }

  /** A receiver (unprotects SRTP/SRTCP) for one direction of a call. */
  receiver(opts: SrtpOptions): SrtpReceiver {
    return new SrtpReceiver(this.core, opts);
  }

  /** The profile table (SDES names, lengths, DTLS-SRTP ids). */
  get profiles(): readonly SrtpProfileInfo[] {
    return SRTP_PROFILES;
  }

  /** Memory a session of this profile (default AES_CM_128_HMAC_SHA1_80) and geometry takes in the core's arena. */
  sizes(p: { profile?: SrtpProfileName; maxStreams?: number; maxKeys?: number; replayWindow?: number } = {}): SrtpSizes {
    const maxStreams = p.maxStreams ?? 64;
    const maxKeys = p.maxKeys ?? 1;
    const window = p.replayWindow ?? 128;
    const id = srtpProfile(p.profile ?? "AES_CM_128_HMAC_SHA1_80").id;
    const session = this.core.fn("srtp_session_size")(maxStreams, maxKeys, window, id);
    if (session < 0) throw new SrtpError("ERR_SRTP_ARG", `no session geometry for ${maxStreams} streams, ${maxKeys} keys, window ${window}`);
    const perKey = this.core.fn("srtp_key_slot_size")(id);
    const slot = this.core.fn("srtp_stream_slot_size")(window);
    let cap = 4;
    while (cap < maxStreams * 2) cap *= 2;
    return { session, perKey, perStream: slot + (cap * 8) / maxStreams };
  }

  /**
   * A packet buffer in the core's arena: a Uint8Array view of the core's memory of `capacity`
   * bytes (default 1500 + the largest SRTP overhead). Packets written there are protected and
   * unprotected in place without any copy (`protectInPlace`, `unprotectInPlace`). Free it with
   * freePacket. The core's memory never grows, so the view stays valid.
   */
  allocPacket(capacity = 1500 + MAX_OVERHEAD): Uint8Array {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 65535 + MAX_OVERHEAD) {
      throw new SrtpError("ERR_SRTP_ARG", `packet capacity must be an integer in 1..${65535 + MAX_OVERHEAD}, got ${String(capacity)}`);
    }
    const p = this.core.arena.alloc(capacity, 16);
    return new Uint8Array(this.core.memory.buffer, p, capacity);
  }

  /** Returns a buffer from allocPacket to the arena (zeroed). */
  freePacket(packet: Uint8Array): void {
    if (!(packet instanceof Uint8Array) || packet.buffer !== this.core.memory.buffer || this.core.arena.sizeOf(packet.byteOffset) === undefined) {
      throw new SrtpError("ERR_SRTP_ARG", "freePacket: not a buffer from allocPacket");
    }
    this.core.arena.release(packet.byteOffset);
  }

  /** Packet slots in the arena for many-session batches (one core call per tick; see SrtpBatch). */
  batch(params: SrtpBatchParams = {}): SrtpBatch {
    return new SrtpBatch(this.core, params);
  }

  /** Returns the shared packet buffers to the arena (they come back on the next packet call). */
  releaseBuffers(): void {
    this.buffers.release();
  }

  /** The profile of an SDES crypto-suite name (ERR_SRTP_PROFILE otherwise). */
  profile(name: string): SrtpProfileInfo {
    return srtpProfile(name);
  }
}
