// core.srtp: the SRTP/SRTCP engine's typed host API (docs/api.md "SRTP").
import type { Core } from "../core/load-core.js";
import { SrtpReceiver, SrtpSender, type SrtpOptions } from "./session.js";
import { SRTP_PROFILES, srtpProfile, type SrtpProfileInfo } from "./profiles.js";
import { SrtpError } from "./errors.js";

export { SrtpSender, SrtpReceiver, SrtpSession } from "./session.js";
export type { SrtpKey, SrtpOptions, SrtpStats, SrtpKeyLimitEvent, SrtpBatchOptions, SrtpBatchResult } from "./session.js";
export { SRTP_PROFILES, srtpProfile, srtpProfileByDtlsId } from "./profiles.js";
export type { SrtpProfileName, SrtpProfileInfo } from "./profiles.js";
export { SrtpError } from "./errors.js";
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
  constructor(readonly core: Core) {}

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

  /** Memory a session of this geometry takes in the core's arena. */
  sizes(p: { maxStreams?: number; maxKeys?: number; replayWindow?: number } = {}): SrtpSizes {
    const maxStreams = p.maxStreams ?? 64;
    const maxKeys = p.maxKeys ?? 1;
    const window = p.replayWindow ?? 128;
    const session = this.core.fn("srtp_session_size")(maxStreams, maxKeys, window);
    if (session < 0) throw new SrtpError("ERR_SRTP_ARG", `no session geometry for ${maxStreams} streams, ${maxKeys} keys, window ${window}`);
    const perKey = this.core.fn("srtp_key_slot_size")();
    const slot = this.core.fn("srtp_stream_slot_size")(window);
    let cap = 4;
    while (cap < maxStreams * 2) cap *= 2;
    return { session, perKey, perStream: slot + (cap * 8) / maxStreams };
  }

  /** The profile of an SDES crypto-suite name (ERR_SRTP_PROFILE otherwise). */
  profile(name: string): SrtpProfileInfo {
    return srtpProfile(name);
  }
}
