// One gateway call end to end: a SIP call (host/sip), its SDP/SDES negotiation (host/sdp) and its
// media (MediaSession with the injected SRTP provider and the board's PSTN port), kept in step
// through early media, re-INVITEs (session refresh, hold, re-key) and hang-up.
//
//   const call = await GatewayCall.place(endpoint, { to, from }, opts);       // towards the pool
//   endpoint.on("invite", (inc) => GatewayCall.answer(inc, opts));             // from the pool
import { EventEmitter } from "node:events";
import { SdpError } from "../sdp/errors.js";
import { SdpNegotiator, type NegotiatedMedia, type SdpNegotiatorOptions, type SrtpMode } from "../sdp/negotiator.js";
import type { CallEnd, IncomingCall, OutgoingCall, SipCall } from "../sip/call.js";
import type { SipEndpoint } from "../sip/endpoint.js";
import { SipError } from "../sip/errors.js";
import type { SipResponse } from "../sip/message.js";
import type { CallMedia, OpenCallMedia } from "./call-media.js";
import type { PstnPort } from "./pstn.js";
import { MediaSession, type MediaSessionOptions, type MediaStats } from "./session.js";
import type { SrtpProvider } from "./srtp-provider.js";

export interface GatewayCallOptions {
  srtp: SrtpProvider;
  pstn: PstnPort;
  srtpMode?: SrtpMode;
  /** Where our media sockets bind (default 0.0.0.0) and the address we announce in SDP. */
  bindAddress?: string;
  advertiseAddress: string;
  sdp?: Omit<SdpNegotiatorOptions, "local" | "srtpMode">;
  media?: Omit<MediaSessionOptions, "srtp" | "pstn" | "bindAddress">;
  /** UAS: send 183 with our answer (early media) before the 200 (default true). */
  earlyMedia?: boolean;
  /** UAS: delay between the 183 and the 200, ms (default 0). */
  answerDelayMs?: number;
  /**
   * Opens the call's media (default: MediaSession.open on this thread). The gateway passes its media
   * worker pool's opener here when the board has core.mediaWorkers (host/media/workers).
   */
  openMedia?: OpenCallMedia;
}

export interface GatewayCallEvents {
  /** Media (re)configured: early media, answer, re-INVITE. */
  media: [m: NegotiatedMedia];
  ended: [end: CallEnd];
}

export class GatewayCall extends EventEmitter<GatewayCallEvents> {
  private constructor(
    readonly sip: SipCall,
    readonly media: CallMedia,
    readonly negotiator: SdpNegotiator,
  ) {
    super();
    sip.onReinvite = (req) => {
      const offer = req.bodyText();
      if (!offer) {
        // An offer-less re-INVITE (session refresh): our offer in the 2xx, the answer in the ACK.
        const ours = this.negotiator.createOffer();
        return {
          body: ours,
          onAck: (ack) => {
            if (ack.body.length) this.apply(this.negotiator.acceptAnswer(ack.bodyText()));
          },
        };
      }
      const { sdp, media } = this.negotiator.createAnswer(offer); // SdpError → its sipStatus (488)
      // New keys of ours take effect at the ACK (the peer cannot decrypt them before our 2xx).
      this.media.configure(media, { deferTx: true });
      this.emit("media", media);
      return { body: sdp, onAck: () => this.media.activateTx() };
    };
    sip.on("ended", (e) => {
      void this.media.close(e.reason);
      this.emit("ended", e);
    });
  }

  private apply(m: NegotiatedMedia): void {
    this.media.configure(m);
    this.emit("media", m);
  }

  private static async setup(opts: GatewayCallOptions): Promise<{ media: CallMedia; negotiator: SdpNegotiator }> {
    const mo: MediaSessionOptions = { ...(opts.media ?? {}), srtp: opts.srtp, pstn: opts.pstn, ...(opts.bindAddress ? { bindAddress: opts.bindAddress } : {}) };
    const media = opts.openMedia ? await opts.openMedia(mo) : await MediaSession.open(mo);
    const negotiator = new SdpNegotiator({
      ...(opts.sdp ?? {}),
      ...(opts.srtpMode ? { srtpMode: opts.srtpMode } : {}),
      local: { address: opts.advertiseAddress, rtpPort: media.localRtpPort, rtcpPort: media.localRtcpPort },
    });
    return { media, negotiator };
  }

  /** Places a call through the endpoint's pool; resolves once answered (media running). */
  static async place(endpoint: SipEndpoint, who: { to: string; from: string; fromDisplay?: string }, opts: GatewayCallOptions): Promise<GatewayCall> {
    const { media, negotiator } = await GatewayCall.setup(opts);
    const offer = negotiator.createOffer();
    const sip = endpoint.invite({ ...who, body: offer });
    const call = new GatewayCall(sip, media, negotiator);
    let early: string | undefined;
    sip.on("progress", (res: SipResponse) => {
      if (res.body.length === 0) return;
      try {
        call.apply(negotiator.acceptAnswer(res.bodyText()));
        early = res.bodyText();
      } catch {
        /* a bad early answer: wait for the final one */
      }
    });
    let res: SipResponse;
    try {
      res = await sip.result;
    } catch (e) {
      await media.close();
      throw e;
    }
    const body = res.bodyText();
    if (body && body !== early) {
      try {
        call.apply(negotiator.acceptAnswer(body));
      } catch (e) {
        // The answer is not acceptable (e.g. plain RTP with srtpMode required): end the call.
        await sip.hangup().catch(() => undefined);
        throw e;
      }
    } else if (!body && !early) {
      await sip.hangup().catch(() => undefined);
      throw new SdpError("ERR_SDP_ANSWER", "the 2xx carried no SDP answer");
    }
    return call;
  }

  /**
   * Answers an incoming call: 488 (with the SdpError's code in a Warning) when the offer is not
   * acceptable, else 183 with our answer (early media) and 200. Resolves when the ACK arrives.
   */
  static async answer(inc: IncomingCall, opts: GatewayCallOptions): Promise<GatewayCall> {
    const { media, negotiator } = await GatewayCall.setup(opts);
    const call = new GatewayCall(inc, media, negotiator);
    const offer = inc.offer;
    if (!offer) {
      // Offer-less INVITE: our offer in the 200, the answer in the ACK.
      const ours = negotiator.createOffer();
      const ack = await inc.accept(ours);
      try {
        call.apply(negotiator.acceptAnswer(ack.bodyText()));
      } catch (e) {
        await inc.hangup().catch(() => undefined);
        throw e;
      }
      return call;
    }
    let answer: { sdp: string; media: NegotiatedMedia };
    try {
      answer = negotiator.createAnswer(offer);
    } catch (e) {
      const status = e instanceof SdpError ? e.sipStatus : 500;
      // RFC 3261 §20.43 Warning, code 399 (miscellaneous), carrying our stable error code.
      const text = e instanceof SdpError ? `${e.code}: ${e.message}` : "internal error";
      inc.reject(status, undefined, [["Warning", `399 ${inc.request.to.uri.replace(/^sips?:(?:[^@]*@)?([^;:>]+).*$/, "$1")} "${text.replace(/["\\\r\n]/g, "'").slice(0, 200)}"`]]);
      await media.close();
      throw e;
    }
    call.apply(answer.media);
    if (opts.earlyMedia ?? true) inc.progress(183, answer.sdp);
    if (opts.answerDelayMs) await new Promise((r) => setTimeout(r, opts.answerDelayMs));
    if (inc.ended) {
      await media.close();
      throw new SipError("ERR_SIP_CANCELLED", "the caller cancelled before the answer");
    }
    await inc.accept(answer.sdp);
    return call;
  }

  /** Re-INVITE with fresh keys (and a new MKI); media keeps flowing across the change. */
  async rekey(): Promise<NegotiatedMedia> {
    return this.renegotiate(true);
  }

  /** Re-INVITE with the current keys (session refresh). */
  async refresh(): Promise<NegotiatedMedia> {
    return this.renegotiate(false);
  }

  async hold(): Promise<NegotiatedMedia> {
    this.negotiator.setDirection("sendonly");
    return this.renegotiate(false);
  }

  async resume(): Promise<NegotiatedMedia> {
    this.negotiator.setDirection("sendrecv");
    return this.renegotiate(false);
  }

  private async renegotiate(rekey: boolean): Promise<NegotiatedMedia> {
    const offer = this.negotiator.createOffer({ rekey });
    const res = await this.sip.reinvite(offer);
    const m = this.negotiator.acceptAnswer(res.bodyText());
    this.apply(m);
    return m;
  }

  sendDtmf(digit: string, durationMs = 100): boolean {
    return this.media.sendDtmf(digit, durationMs);
  }

  stats(): MediaStats {
    return this.media.snapshot();
  }

  async hangup(): Promise<void> {
    if (this.sip.state === "confirmed") await this.sip.hangup();
    else if ("cancel" in this.sip) (this.sip as OutgoingCall).cancel();
    await this.media.close();
  }
}
