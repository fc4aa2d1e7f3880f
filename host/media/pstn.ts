// The PSTN side of the gateway, as a board implements it: 20 ms G.711 frames in and out, DTMF.
// The sim board's implementation generates a tone or plays a WAV file, and records what arrives.
import { decodeG711, encodeG711, transcodeG711, type G711Codec } from "./g711.js";
import { parseWav, pcm16Samples, writeWavPcm16 } from "./wav.js";
import type { DtmfDigit } from "./dtmf.js";

export const FRAME_SAMPLES = 160; // 20 ms at 8 kHz

export interface PstnFrameInfo {
  sequence: number;
  timestamp: number;
  ssrc: number;
}

export interface PstnPort {
  /** The next 20 ms frame towards the network (160 bytes in `codec`), or null for silence. */
  readFrame(codec: G711Codec): Uint8Array | null;
  /** A 20 ms (or other ptime) frame from the network. */
  writeFrame(payload: Uint8Array, codec: G711Codec, info: PstnFrameInfo): void;
  /** A DTMF digit from the network (RFC 4733), once per key press. */
  dtmf?(d: DtmfDigit): void;
}

/** Audio a sim port sends: a tone, a WAV file, or silence. */
export interface AudioSource {
  /** 160 linear samples, or null when the source is exhausted. */
  next(): Int16Array | null;
}

export class ToneSource implements AudioSource {
  private n = 0;
  constructor(
    readonly frequency = 1004,
    readonly amplitude = 8000,
    readonly sampleRate = 8000,
  ) {}
  /** Samples played so far (where the tone is in its phase). */
  get position(): number {
    return this.n;
  }
  /** Continues the tone from sample n (a copy of a source in another thread picks up where it was). */
  seek(n: number): this {
    this.n = n;
    return this;
  }
  next(): Int16Array {
    const out = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++, this.n++) out[i] = Math.round(this.amplitude * Math.sin((2 * Math.PI * this.frequency * this.n) / this.sampleRate));
    return out;
  }
}

export class WavSource implements AudioSource {
  private pos = 0;
  private readonly samples: Int16Array;
  constructor(
    wav: Uint8Array,
    private readonly loop = false,
  ) {
    const w = parseWav(wav);
    if (w.sampleRate !== 8000 || w.channels !== 1) throw new RangeError("the sim board plays 8 kHz mono WAV files");
    this.samples = w.format === "pcm16" ? pcm16Samples(w) : decodeG711(w.format === "ulaw" ? "PCMU" : "PCMA", w.data);
  }
  /** The decoded samples (a copy), whether they loop, and the next sample to play. */
  state(): { samples: Int16Array; loop: boolean; position: number } {
    return { samples: Int16Array.from(this.samples), loop: this.loop, position: this.pos };
  }
  next(): Int16Array | null {
    if (this.pos >= this.samples.length) {
      if (!this.loop || this.samples.length === 0) return null;
      this.pos = 0;
    }
    const out = new Int16Array(FRAME_SAMPLES);
    out.set(this.samples.subarray(this.pos, this.pos + FRAME_SAMPLES));
    this.pos += FRAME_SAMPLES;
    return out;
  }
}

export interface RecordedFrame extends PstnFrameInfo {
  payload: Uint8Array;
  codec: G711Codec;
  receivedAt: number;
}

/** The sim board's PSTN port: plays a source, records frames and digits from the network. */
export class SimPstnPort implements PstnPort {
  /** Every frame handed to the network, in order (the reference for "audio received = audio sent"). */
  readonly sent: Uint8Array[] = [];
  readonly received: RecordedFrame[] = [];
  readonly digits: DtmfDigit[] = [];
  onDigit: ((d: DtmfDigit) => void) | undefined;

  constructor(private source: AudioSource | null = new ToneSource()) {}

  setSource(s: AudioSource | null): void {
    this.source = s;
  }

  /** The source the port plays (null: none). */
  get audioSource(): AudioSource | null {
    return this.source;
  }

  readFrame(codec: G711Codec): Uint8Array | null {
    const pcm = this.source?.next() ?? null;
    if (!pcm) return null;
    const frame = encodeG711(codec, pcm);
    this.sent.push(frame);
    return frame;
  }

  writeFrame(payload: Uint8Array, codec: G711Codec, info: PstnFrameInfo): void {
    this.received.push({ ...info, payload: Uint8Array.from(payload), codec, receivedAt: Date.now() });
  }

  dtmf(d: DtmfDigit): void {
    this.digits.push(d);
    this.onDigit?.(d);
  }

  /** What arrived, as 16-bit PCM WAV (frames in sequence order, gaps left out). */
  recordingWav(): Uint8Array {
    const frames = [...this.received].sort((a, b) => a.sequence - b.sequence);
    const pcm = new Int16Array(frames.reduce((n, f) => n + f.payload.length, 0));
    let o = 0;
    for (const f of frames) {
      pcm.set(decodeG711(f.codec, f.payload), o);
      o += f.payload.length;
    }
    return writeWavPcm16(pcm);
  }

  /** Received frames converted to `codec` (for comparing with what the far end sent). */
  receivedAs(codec: G711Codec): Uint8Array[] {
    return this.received.map((f) => transcodeG711(f.codec, codec, f.payload));
  }
}
