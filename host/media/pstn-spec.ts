// A PSTN port as data, so that a call's media can run in a media worker (host/media/workers): the
// gateway builds its PSTN port on the main thread (GatewayOptions.pstn), describes it here, and the
// worker that owns the call builds the same port from the description. The port in the worker is
// the one the media session reads and writes frames with; the main thread's port (the call record's
// `pstn`) is kept in step by events: DTMF digits as they arrive, and the audio counters (and, for
// the simulator's CheckedPstnPort, its distinct-frame tables) once, when the call's media closes.
// Frames themselves never cross threads: a SimPstnPort's `sent`/`received` arrays stay empty on the
// main thread for a call that ran in a worker.
//
// Kinds that can be described: SimPstnPort and CheckedPstnPort (exactly those classes, not
// subclasses) playing a ToneSource, a WavSource or nothing. Anything else (a board's own PstnPort
// implementation, a custom AudioSource) cannot be moved: describePstn returns undefined and the
// gateway keeps that call's media on the main thread.
import { CheckedPstnPort } from "../sim/audio-check.js";
import { SimPstnPort, ToneSource, WavSource, type AudioSource, type PstnPort } from "./pstn.js";

export type PstnSourceSpec =
  | { kind: "none" }
  | { kind: "tone"; frequency: number; amplitude: number; sampleRate: number; position: number }
  | { kind: "pcm"; samples: Int16Array; loop: boolean; position: number };

export interface PstnSpec {
  port: "sim" | "checked";
  source: PstnSourceSpec;
}

/** What a worker's port did, sent back once when the call's media closes. */
export interface PstnState {
  framesSent: number;
  framesReceived: number;
  /** CheckedPstnPort only: its distinct-frame tables (bounded: 4096 entries each). */
  checked?: { distinctSent: string[]; distinctReceived: [string, number][]; unchecked: number };
}

function describeSource(s: AudioSource | null): PstnSourceSpec | undefined {
  if (s === null) return { kind: "none" };
  const proto = Object.getPrototypeOf(s) as unknown;
  if (proto === ToneSource.prototype) {
    const t = s as ToneSource;
    return { kind: "tone", frequency: t.frequency, amplitude: t.amplitude, sampleRate: t.sampleRate, position: t.position };
  }
  if (proto === WavSource.prototype) {
    const w = (s as WavSource).state();
    return { kind: "pcm", samples: w.samples, loop: w.loop, position: w.position };
  }
  return undefined;
}

/** The description of a port a worker can rebuild, or undefined when this kind cannot be moved. */
export function describePstn(p: PstnPort): PstnSpec | undefined {
  const proto = Object.getPrototypeOf(p) as unknown;
  const port = proto === CheckedPstnPort.prototype ? "checked" : proto === SimPstnPort.prototype ? "sim" : undefined;
  if (!port) return undefined;
  const source = describeSource((p as SimPstnPort).audioSource);
  return source ? { port, source } : undefined;
}

/** A source that plays pre-decoded samples (the worker's copy of a WavSource). */
class PcmSource implements AudioSource {
  constructor(
    private readonly samples: Int16Array,
    private readonly loop: boolean,
    private pos: number,
  ) {}
  next(): Int16Array | null {
    if (this.pos >= this.samples.length) {
      if (!this.loop || this.samples.length === 0) return null;
      this.pos = 0;
    }
    const out = new Int16Array(160);
    out.set(this.samples.subarray(this.pos, this.pos + 160));
    this.pos += 160;
    return out;
  }
}

function sourceFrom(s: PstnSourceSpec): AudioSource | null {
  switch (s.kind) {
    case "none":
      return null;
    case "tone": {
      return new ToneSource(s.frequency, s.amplitude, s.sampleRate).seek(s.position);
    }
    case "pcm":
      return new PcmSource(s.samples, s.loop, s.position);
  }
}

/** The worker's port for a description. */
export function pstnFromSpec(spec: PstnSpec): SimPstnPort {
  const source = sourceFrom(spec.source);
  return spec.port === "checked" ? new CheckedPstnPort(source ?? { next: () => null }) : new SimPstnPort(source);
}

/** The worker port's state at close. */
export function pstnState(p: SimPstnPort): PstnState {
  if (p instanceof CheckedPstnPort) {
    return {
      framesSent: p.framesSent,
      framesReceived: p.framesReceived,
      checked: { distinctSent: [...p.distinctSent], distinctReceived: [...p.distinctReceived], unchecked: p.unchecked },
    };
  }
  return { framesSent: p.sent.length, framesReceived: p.received.length };
}

/**
 * Brings the main thread's port up to date with the worker's (once, at close). A CheckedPstnPort
 * takes the worker's counters and distinct-frame tables, so verifiedAgainst() works as for a call
 * that ran on the main thread; a SimPstnPort gets nothing (its frames stay in the worker).
 */
export function applyPstnState(p: PstnPort, s: PstnState): void {
  if (p instanceof CheckedPstnPort && s.checked) {
    p.framesSent += s.framesSent;
    p.framesReceived += s.framesReceived;
    p.unchecked += s.checked.unchecked;
    for (const k of s.checked.distinctSent) p.distinctSent.add(k);
    for (const [k, n] of s.checked.distinctReceived) p.distinctReceived.set(k, (p.distinctReceived.get(k) ?? 0) + n);
  }
}
