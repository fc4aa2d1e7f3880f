// Minimal RIFF/WAVE reading and writing for the sim board: 8 kHz mono, 16-bit PCM (format 1),
// A-law (format 6) or µ-law (format 7).
export interface WavAudio {
  format: "pcm16" | "alaw" | "ulaw";
  sampleRate: number;
  channels: number;
  /** Raw sample data (little-endian int16 for pcm16, one byte per sample for G.711). */
  data: Uint8Array;
}

export class WavError extends Error {}

export function parseWav(buf: Uint8Array): WavAudio {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 12 || b.toString("latin1", 0, 4) !== "RIFF" || b.toString("latin1", 8, 12) !== "WAVE") throw new WavError("not a RIFF/WAVE file");
  let off = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  while (off + 8 <= b.length) {
    const id = b.toString("latin1", off, off + 4);
    const size = b.readUInt32LE(off + 4);
    const body = off + 8;
    if (body + size > b.length) throw new WavError(`chunk ${id} runs past the file`);
    if (id === "fmt ") {
      if (size < 16) throw new WavError("short fmt chunk");
      fmt = { format: b.readUInt16LE(body), channels: b.readUInt16LE(body + 2), rate: b.readUInt32LE(body + 4), bits: b.readUInt16LE(body + 14) };
    } else if (id === "data") {
      data = new Uint8Array(b.buffer, b.byteOffset + body, size);
    }
    off = body + size + (size & 1);
  }
  if (!fmt || !data) throw new WavError("missing fmt or data chunk");
  let format: WavAudio["format"];
  if (fmt.format === 1 && fmt.bits === 16) format = "pcm16";
  else if (fmt.format === 6 && fmt.bits === 8) format = "alaw";
  else if (fmt.format === 7 && fmt.bits === 8) format = "ulaw";
  else throw new WavError(`unsupported WAV format ${fmt.format}/${fmt.bits} bits`);
  return { format, sampleRate: fmt.rate, channels: fmt.channels, data };
}

/** A 16-bit PCM mono WAV. */
export function writeWavPcm16(samples: Int16Array, sampleRate = 8000): Uint8Array {
  const b = Buffer.alloc(44 + samples.length * 2);
  b.write("RIFF", 0, "latin1");
  b.writeUInt32LE(36 + samples.length * 2, 4);
  b.write("WAVE", 8, "latin1");
  b.write("fmt ", 12, "latin1");
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36, "latin1");
  b.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i]!, 44 + 2 * i);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function pcm16Samples(w: WavAudio): Int16Array {
  if (w.format !== "pcm16") throw new WavError("not PCM16");
  const n = Math.floor(w.data.length / 2);
  const out = new Int16Array(n);
  const dv = new DataView(w.data.buffer, w.data.byteOffset, w.data.byteLength);
  for (let i = 0; i < n; i++) out[i] = dv.getInt16(2 * i, true);
  return out;
}
