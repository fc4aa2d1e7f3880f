// RFC 4733 telephone-events (DTMF) carried as RTP: the 4-byte event payload, a sender that turns a
// key press into packets (marker on the first, the event's start timestamp on all, growing
// duration, the end packet sent three times), and a receiver that reports each event once.

export const DTMF_EVENTS = "0123456789*#ABCD";

export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  /** In timestamp units (8 kHz: 8 per ms). */
  duration: number;
}

export function digitToEvent(d: string): number {
  const i = DTMF_EVENTS.indexOf(d.toUpperCase());
  if (i < 0 || d.length !== 1) throw new RangeError(`not a DTMF digit: ${d}`);
  return i;
}

export function encodeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  return Uint8Array.of(e.event & 0xff, (e.end ? 0x80 : 0) | (e.volume & 0x3f), (e.duration >> 8) & 0xff, e.duration & 0xff);
}

export function decodeTelephoneEvent(p: Uint8Array): TelephoneEvent | undefined {
  if (p.length < 4) return undefined;
  return { event: p[0]!, end: (p[1]! & 0x80) !== 0, volume: p[1]! & 0x3f, duration: (p[2]! << 8) | p[3]! };
}

export interface DtmfPacketPlan {
  payload: Uint8Array;
  marker: boolean;
}

/** One key press, emitted one packet per media tick (20 ms), then three end packets. */
export class DtmfEventSender {
  private elapsed = 0;
  private endsSent = 0;
  readonly event: number;
  /** The RTP timestamp of the event's start (the same on every packet of the event). */
  readonly timestamp: number;

  constructor(
    digit: string,
    timestamp: number,
    private readonly durationSamples: number,
    private readonly volume = 10,
    private readonly tickSamples = 160,
  ) {
    this.event = digitToEvent(digit);
    this.timestamp = timestamp;
  }

  get done(): boolean {
    return this.endsSent >= 3;
  }

  next(): DtmfPacketPlan | undefined {
    if (this.done) return undefined;
    const first = this.elapsed === 0;
    this.elapsed = Math.min(this.elapsed + this.tickSamples, this.durationSamples);
    const end = this.elapsed >= this.durationSamples;
    if (end) this.endsSent++;
    return { payload: encodeTelephoneEvent({ event: this.event, end, volume: this.volume, duration: this.elapsed }), marker: first };
  }
}

export interface DtmfDigit {
  digit: string;
  durationMs: number;
  volume: number;
}

/** Reports each event once, at its first end packet (duplicates share the start timestamp). */
export class DtmfReceiver {
  private lastEnded: number | undefined;
  receive(timestamp: number, payload: Uint8Array): DtmfDigit | undefined {
    const e = decodeTelephoneEvent(payload);
    if (!e || !e.end || e.event >= DTMF_EVENTS.length) return undefined;
    if (this.lastEnded === timestamp) return undefined;
    this.lastEnded = timestamp;
    return { digit: DTMF_EVENTS[e.event]!, durationMs: e.duration / 8, volume: e.volume };
  }
}
