// ITU-T G.711 µ-law (PCMU) and A-law (PCMA) for 16-bit linear PCM, the classic segment algorithms.

const BIAS = 0x84;
const CLIP = 32635;

export function linearToUlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function ulawToLinear(u: number): number {
  const x = ~u & 0xff;
  const sign = x & 0x80;
  const exponent = (x >> 4) & 0x07;
  const mantissa = x & 0x0f;
  const s = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return sign ? -s : s;
}

export function linearToAlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s >= 0 ? 0x80 : 0;
  if (s < 0) s = -s - 1;
  let a: number;
  if (s < 256) {
    a = s >> 4;
  } else {
    let exponent = 1;
    for (let v = s >> 8; v > 1; v >>= 1) exponent++;
    a = (exponent << 4) | ((s >> (exponent + 3)) & 0x0f);
  }
  return (a | sign) ^ 0x55;
}

export function alawToLinear(a: number): number {
  const x = a ^ 0x55;
  const sign = x & 0x80;
  const exponent = (x >> 4) & 0x07;
  const mantissa = x & 0x0f;
  let s = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return sign ? s : -s;
}

export type G711Codec = "PCMU" | "PCMA";

export function encodeG711(codec: G711Codec, pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  const f = codec === "PCMU" ? linearToUlaw : linearToAlaw;
  for (let i = 0; i < pcm.length; i++) out[i] = f(pcm[i]!);
  return out;
}

export function decodeG711(codec: G711Codec, data: Uint8Array): Int16Array {
  const out = new Int16Array(data.length);
  const f = codec === "PCMU" ? ulawToLinear : alawToLinear;
  for (let i = 0; i < data.length; i++) out[i] = f(data[i]!);
  return out;
}

/** Re-encodes a G.711 frame into the other law (through linear). */
export function transcodeG711(from: G711Codec, to: G711Codec, data: Uint8Array): Uint8Array {
  return from === to ? data : encodeG711(to, decodeG711(from, data));
}
