// The main thread's side of a call whose MediaSession runs in a media worker: the same interface
// the gateway and GatewayCall use (CallMedia), backed by messages to the worker.
//
// - configure / activateTx / sendDtmf are posted (ordered on the worker's port) and return at once;
//   `negotiated` is kept here exactly as MediaSession keeps it (including a re-key's deferred tx).
//   The keys in a NegotiatedMedia cross to the worker once per (re)configuration, never per packet.
// - `stats` / snapshot() are synchronous: they serve the latest statistics the worker pushed (every
//   STATS_PUSH_MS = 250 ms while the call is up, and once more in the reply to close()), so they
//   may be up to 250 ms old. The gateway's media watchdog reads them (its timeout is seconds).
// - Events: DTMF digits (also handed to the main thread's PSTN port), RTCP BYE and key-limit
//   warnings are forwarded; the per-packet "rtcp" event is not (nothing on the main thread needs
//   every parsed RTCP packet). With a packet tap, every datagram is copied to the main thread.
// - close() resolves with the worker's final statistics; when the worker has died it resolves at
//   once with the last ones pushed. A worker that dies calls the session's onFailed hook with an
//   ERR_MEDIA_WORKER error (the gateway ends the call).
import { EventEmitter } from "node:events";
import type { NegotiatedMedia } from "../../sdp/negotiator.js";
import type { CallMedia } from "../call-media.js";
import type { PstnPort } from "../pstn.js";
import { applyPstnState } from "../pstn-spec.js";
import { emptyMediaStats, type MediaSessionEvents, type MediaStats, type MediaTapPacket } from "../session.js";
import type { SrtpKeyLimitEvent } from "../srtp-provider.js";
import type { FromWorker, SessionEvent, ToWorker } from "./protocol.js";

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** How a session reaches its worker (implemented by the pool's worker handle). */
export interface SessionChannel {
  readonly index: number;
  request(m: DistributiveOmit<ToWorker, "seq">): Promise<Extract<FromWorker, { type: "ok" }>>;
}

export interface RemoteSessionHooks {
  /** The main thread's PSTN port: receives DTMF digits as they arrive and the worker port's final state. */
  pstn?: PstnPort;
  tap?: (p: MediaTapPacket) => void;
  onKeyLimit?: (e: SrtpKeyLimitEvent & { direction: "tx" | "rx" }) => void;
  /** The worker died (code ERR_MEDIA_WORKER) or refused a configuration: the call has no media any more. */
  onFailed?: (e: Error & { code: string }) => void;
  /** @internal the pool's bookkeeping, once the session is closed. */
  onClosed?: () => void;
}


export class RemoteMediaSession extends EventEmitter<MediaSessionEvents> implements CallMedia {
  private neg: NegotiatedMedia | undefined;
  private pendingTx: NonNullable<NegotiatedMedia["srtp"]> | undefined;
  private latest: MediaStats = emptyMediaStats();
  private rxForm = "";
  private closed = false;
  private dead = false;
  private closing: Promise<void> | undefined;
  private final = false;

  constructor(
    readonly id: string,
    private readonly channel: SessionChannel,
    readonly localRtpPort: number,
    readonly localRtcpPort: number,
    readonly ssrc: number,
    private readonly hooks: RemoteSessionHooks,
  ) {
    super();
  }

  /** Index of the worker running this call's media. */
  get worker(): number {
    return this.channel.index;
  }

  get negotiated(): NegotiatedMedia | undefined {
    return this.neg;
  }

  get lastRxForm(): string {
    return this.rxForm;
  }

  /** The latest statistics the worker pushed (at most STATS_PUSH_MS old while the call is up). */
  get stats(): MediaStats {
    return this.latest;
  }

  /** A copy of the latest statistics the worker pushed (synchronous; see `stats`). */
  snapshot(): MediaStats {
    return { ...this.latest };
  }

  /** True once the worker died under this call. */
  get failed(): boolean {
    return this.dead;
  }

  private send(m: DistributiveOmit<ToWorker, "seq">): void {
    this.channel.request(m).catch((e: Error & { code?: string }) => {
      if (this.closed || this.dead) return;
      // The worker refused the message (a key its core rejects, ...): this call has no media.
      const err = Object.assign(e, { code: e.code ?? "ERR_MEDIA_WORKER" }) as Error & { code: string };
      this.hooks.onFailed?.(err);
    });
  }

  configure(neg: NegotiatedMedia, opts: { deferTx?: boolean } = {}): void {
    if (this.closed || this.dead) return;
    const s = neg.srtp;
    // The same bookkeeping as MediaSession.configure: a re-INVITE's new key of ours is held back
    // until the ACK (activateTx); what `negotiated` shows meanwhile is the key still in use.
    if (s && opts.deferTx && this.neg?.srtp && this.neg.srtp.profile === s.profile) {
      this.pendingTx = s;
      this.neg = { ...neg, srtp: { ...s, tx: this.neg.srtp.tx } };
    } else {
      this.pendingTx = undefined;
      this.neg = neg;
    }
    this.send({ type: "session.configure", id: this.id, neg, deferTx: opts.deferTx ?? false });
  }

  activateTx(): void {
    const s = this.pendingTx;
    if (!s || !this.neg || this.closed || this.dead) return;
    this.pendingTx = undefined;
    this.neg = { ...this.neg, srtp: s };
    this.send({ type: "session.activateTx", id: this.id });
  }

  sendDtmf(digit: string, durationMs = 100): boolean {
    if (!this.neg || this.neg.telephoneEvent === null || this.closed || this.dead) return false;
    this.send({ type: "session.dtmf", id: this.id, digit, durationMs });
    return true;
  }

  /** Sends RTCP BYE, closes the worker's sockets and wipes the SRTP contexts there; final statistics. */
  close(reason = "call ended"): Promise<void> {
    if (!this.closing) this.closing = this.doClose(reason);
    return this.closing;
  }

  private async doClose(reason: string): Promise<void> {
    this.closed = true;
    try {
      if (this.dead) return;
      const r = await this.channel.request({ type: "session.close", id: this.id, reason });
      if (r.final) {
        this.final = true;
        this.latest = r.final.stats;
        this.rxForm = r.final.lastRxForm;
        if (this.hooks.pstn) applyPstnState(this.hooks.pstn, r.final.pstn);
      }
    } catch {
      /* the worker died meanwhile: the last pushed statistics stay */
    } finally {
      this.hooks.onClosed?.();
    }
  }

  // ---- from the pool ----------------------------------------------------------------------

  /** @internal the worker's periodic statistics. */
  pushStats(stats: MediaStats, lastRxForm: string): void {
    if (this.final) return;
    this.latest = stats;
    this.rxForm = lastRxForm;
  }

  /** @internal an event from the worker's session. */
  deliver(e: SessionEvent): void {
    switch (e.kind) {
      case "dtmf":
        this.hooks.pstn?.dtmf?.(e.digit);
        this.emit("dtmf", e.digit);
        break;
      case "bye":
        this.emit("bye", e.ssrc);
        break;
      case "keyLimit":
        this.hooks.onKeyLimit?.({ direction: e.direction, hard: e.hard, remaining: e.remaining, ...(e.mki ? { mki: e.mki } : {}) });
        break;
      case "tap":
        this.hooks.tap?.(e.packet);
        break;
    }
  }

  /** @internal the worker died. */
  workerDied(err: Error & { code: string }): void {
    if (this.dead) return;
    this.dead = true;
    if (!this.closed) this.hooks.onFailed?.(err);
  }
}
