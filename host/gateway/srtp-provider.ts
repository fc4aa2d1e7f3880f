// The gateway's SRTP: the WebAssembly core's engine (core.srtp, docs/api.md "SRTP") behind the
// SrtpProvider interface the media path is written against (host/media/srtp-provider.ts).
//
// The two speak slightly different error vocabularies. The media layer reads `.code` and counts
// REPLAY / REPLAY_OLD / MKI / MALFORMED apart from authentication failures, and treats a used-up
// key as KEY_LIMIT; the core has a finer table. Each core code is mapped once, here; the core's
// own error stays reachable as `cause` (with its SSRC, index and raw status).
import type { Core } from "../core/load-core.js";
import { SrtpError as CoreSrtpError, type SrtpErrorCode as CoreSrtpErrorCode, type SrtpReceiver as CoreReceiver, type SrtpSender as CoreSender } from "../srtp/index.js";
import { SrtpError, type SrtpErrorCode, type SrtpKey, type SrtpOptions, type SrtpProvider, type SrtpReceiver, type SrtpSender } from "../media/srtp-provider.js";

/** Core code → the media layer's code. */
export const CORE_TO_MEDIA_CODE: Readonly<Record<CoreSrtpErrorCode, SrtpErrorCode>> = {
  ERR_SRTP_AUTH: "ERR_SRTP_AUTH",
  ERR_SRTP_REPLAY: "ERR_SRTP_REPLAY",
  ERR_SRTP_REPLAY_OLD: "ERR_SRTP_REPLAY_OLD",
  ERR_SRTP_MKI: "ERR_SRTP_MKI",
  ERR_SRTP_MALFORMED: "ERR_SRTP_MALFORMED",
  // The key's lifetime (or the index space) is used up: the media layer re-keys or drops.
  ERR_SRTP_KEY_EXPIRED: "ERR_SRTP_KEY_LIMIT",
  ERR_SRTP_KEY: "ERR_SRTP_KEY_LENGTH",
  // A closed session, or a sender left without an active key.
  ERR_SRTP_STATE: "ERR_SRTP_CLOSED",
  // The rest are caller mistakes or capacity limits, never a verdict on a packet's authenticity.
  ERR_SRTP_PROFILE: "ERR_SRTP_ARG",
  ERR_SRTP_ARG: "ERR_SRTP_ARG",
  ERR_SRTP_BUFFER: "ERR_SRTP_ARG",
  ERR_SRTP_REPEAT_TX: "ERR_SRTP_ARG",
  ERR_SRTP_FULL: "ERR_SRTP_ARG",
  ERR_SRTP_NO_STREAM: "ERR_SRTP_ARG",
};

/** The media layer's error for a core error (anything else passes through unchanged). */
export function mapCoreSrtpError(e: unknown): unknown {
  if (e instanceof CoreSrtpError) {
    const code = CORE_TO_MEDIA_CODE[e.code] ?? "ERR_SRTP_ARG";
    const out = new SrtpError(code, e.message);
    Object.defineProperty(out, "cause", { value: e, enumerable: false });
    Object.defineProperty(out, "coreCode", { value: e.code, enumerable: true });
    return out;
  }
  return e;
}

function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw mapCoreSrtpError(e);
  }
}

export interface CoreSrtpProviderOptions {
  /** SSRCs one session tracks (default 8: a call has one per direction; re-INVITEs may add one). */
  maxStreams?: number;
}

class CoreSenderAdapter implements SrtpSender {
  constructor(
    private readonly s: CoreSender,
    private readonly lifetime: number | undefined,
  ) {}
  protect(rtp: Uint8Array): Uint8Array {
    return guard(() => this.s.protect(rtp));
  }
  protectRtcp(rtcp: Uint8Array): Uint8Array {
    return guard(() => this.s.protectRtcp(rtcp));
  }
  addKey(k: SrtpKey): void {
    guard(() => this.s.addKey({ ...k, ...(this.lifetime !== undefined ? { lifetime: this.lifetime } : {}) }));
  }
  useKey(mki: Uint8Array): void {
    guard(() => this.s.useKey(mki));
  }
  removeKey(mki: Uint8Array): void {
    guard(() => this.s.removeKey(mki));
  }
  close(): void {
    this.s.close();
  }
}

class CoreReceiverAdapter implements SrtpReceiver {
  constructor(
    private readonly r: CoreReceiver,
    private readonly lifetime: number | undefined,
  ) {}
  unprotect(srtp: Uint8Array): Uint8Array {
    return guard(() => this.r.unprotect(srtp));
  }
  unprotectRtcp(srtcp: Uint8Array): Uint8Array {
    return guard(() => this.r.unprotectRtcp(srtcp));
  }
  addKey(k: SrtpKey): void {
    guard(() => this.r.addKey({ ...k, ...(this.lifetime !== undefined ? { lifetime: this.lifetime } : {}) }));
  }
  removeKey(mki: Uint8Array): void {
    guard(() => this.r.removeKey(mki));
  }
  close(): void {
    this.r.close();
  }
}

/** An SrtpProvider over a loaded core (name "core-simd" / "core-scalar"). */
export class CoreSrtpProvider implements SrtpProvider {
  readonly name: string;
  private readonly maxStreams: number;

  constructor(
    readonly core: Core,
    o: CoreSrtpProviderOptions = {},
  ) {
    this.name = `core-${core.variant}`;
    this.maxStreams = o.maxStreams ?? 8;
  }

  private options(opts: SrtpOptions) {
    // The media layer's `lifetime` is per session; the core's is per key: give it to each key.
    const { onKeyLimit, ...rest } = opts;
    return {
      ...rest,
      maxStreams: this.maxStreams,
      ...(onKeyLimit ? { onKeyLimit: (e: { mki?: Uint8Array; remaining: number; hard: boolean }) => onKeyLimit(e) } : {}),
    };
  }

  sender(opts: SrtpOptions): SrtpSender {
    return new CoreSenderAdapter(guard(() => this.core.srtp.sender(this.options(opts))), opts.lifetime);
  }

  receiver(opts: SrtpOptions): SrtpReceiver {
    return new CoreReceiverAdapter(guard(() => this.core.srtp.receiver(this.options(opts))), opts.lifetime);
  }
}
