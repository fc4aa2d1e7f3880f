// What a GatewayCall (and the gateway) needs of a call's media: the MediaSession itself on the main
// thread, or a RemoteMediaSession (host/media/workers/remote-session.ts) whose MediaSession runs in a
// media worker.
import type { EventEmitter } from "node:events";
import type { NegotiatedMedia } from "../sdp/negotiator.js";
import type { MediaSessionEvents, MediaSessionOptions, MediaStats } from "./session.js";

export interface CallMedia extends EventEmitter<MediaSessionEvents> {
  readonly localRtpPort: number;
  readonly localRtcpPort: number;
  readonly ssrc: number;
  readonly negotiated: NegotiatedMedia | undefined;
  /** Which form of the peer's key last authenticated ("mki:01", "no-mki"), for diagnostics. */
  readonly lastRxForm: string;
  /** The statistics (live on the main thread; a worker session's latest pushed copy). */
  readonly stats: MediaStats;
  configure(neg: NegotiatedMedia, opts?: { deferTx?: boolean }): void;
  activateTx(): void;
  sendDtmf(digit: string, durationMs?: number): boolean;
  snapshot(): MediaStats;
  close(reason?: string): Promise<void>;
}

/** Opens a call's media (GatewayCallOptions.openMedia): the options MediaSession.open would get. */
export type OpenCallMedia = (opts: MediaSessionOptions) => Promise<CallMedia>;
