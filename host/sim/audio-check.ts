// The simulator's PSTN ports: they play a tone like SimPstnPort, and remember only what is needed
// to verify the audio (memory stays flat however long a run lasts): the distinct frames sent, and
// the distinct frames received with their counts. A received frame "matches" when it equals a frame
// the far end sent: SRTP decrypted and authenticated it into exactly what was sent.
import { SimPstnPort, type AudioSource, type PstnFrameInfo, type RecordedFrame } from "../media/pstn.js";
import type { G711Codec } from "../media/g711.js";

/** Distinct frames kept per port (a tone has a few dozen; noise would need more: the rest is uncounted). */
const MAX_DISTINCT = 4096;
/** Recent frames kept in `sent`/`received` (SimPstnPort's arrays), for tools that look at them. */
const RECENT = 250;

function key(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

export class CheckedPstnPort extends SimPstnPort {
  /** Distinct frames this port sent. */
  readonly distinctSent = new Set<string>();
  /** Distinct frames received → how many times. */
  readonly distinctReceived = new Map<string, number>();
  framesSent = 0;
  framesReceived = 0;
  /** Frames received after the distinct-frame table was full (not verified). */
  unchecked = 0;

  constructor(source: AudioSource) {
    super(source);
  }

  override readFrame(codec: G711Codec): Uint8Array | null {
    const f = super.readFrame(codec);
    if (f) {
      this.framesSent++;
      if (this.distinctSent.size < MAX_DISTINCT) this.distinctSent.add(key(f));
      if (this.sent.length > RECENT * 2) this.sent.splice(0, this.sent.length - RECENT);
    }
    return f;
  }

  override writeFrame(payload: Uint8Array, codec: G711Codec, info: PstnFrameInfo): void {
    super.writeFrame(payload, codec, info);
    this.framesReceived++;
    const k = key(payload);
    const n = this.distinctReceived.get(k);
    if (n !== undefined) this.distinctReceived.set(k, n + 1);
    else if (this.distinctReceived.size < MAX_DISTINCT) this.distinctReceived.set(k, 1);
    else this.unchecked++;
    if (this.received.length > RECENT * 2) this.received.splice(0, this.received.length - RECENT);
  }

  /** Frames received here that equal a frame `far` sent. */
  verifiedAgainst(far: CheckedPstnPort): { frames: number; matched: number } {
    let matched = 0;
    for (const [k, n] of this.distinctReceived) if (far.distinctSent.has(k)) matched += n;
    return { frames: this.framesReceived, matched };
  }
}

export type { RecordedFrame };
