// A strict DER reader for the X.509 path verifier (certificates, CRLs). It accepts only DER:
// definite, minimal lengths; one-byte tags; minimal INTEGERs and OIDs; BOOLEAN 00/FF. Anything else
// throws DerError, the only exception it throws, so a hostile certificate can make the verifier
// say "malformed" but never crash it. (BER with indefinite lengths, as some PKCS#7/PKCS#12 files use,
// is read by pkijs in pkcs7.ts/pkcs12.ts, not here.) Modelled on Go's cryptobyte: read, check, move on.

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag number n, constructed (0xa0|n) or primitive (0x80|n). */
export const ctx = (n: number, constructed: boolean): number => (constructed ? 0xa0 : 0x80) | n;

export interface Tlv {
  tag: number;
  /** The whole element (header + value). */
  raw: Uint8Array;
  /** The value octets. */
  value: Uint8Array;
}

const MAX_DEPTH_BYTES = 1 << 24; // 16 MiB: far more than any certificate or CRL we accept

export class DerReader {
  private pos: number;
  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  static of(tlv: Tlv): DerReader {
    return new DerReader(tlv.value);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  peekTag(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined;
  }

  read(): Tlv {
    const start = this.pos;
    if (start >= this.end) throw new DerError("unexpected end of data");
    const tag = this.buf[start]!;
    if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not used in X.509");
    let p = start + 1;
    if (p >= this.end) throw new DerError("truncated length");
    let len = this.buf[p++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0) throw new DerError("indefinite length is not DER");
      if (n > 3) throw new DerError("length too large");
      if (p + n > this.end) throw new DerError("truncated length");
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + this.buf[p++]!;
      if (this.buf[p - n] === 0) throw new DerError("non-minimal length");
      if (len < 0x80) throw new DerError("non-minimal length");
    }
    if (len > MAX_DEPTH_BYTES || p + len > this.end) throw new DerError("element runs past its container");
    this.pos = p + len;
    return { tag, raw: this.buf.subarray(start, p + len), value: this.buf.subarray(p, p + len) };
  }

  expect(tag: number, what: string): Tlv {
    const t = this.peekTag();
    if (t !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found ${t === undefined ? "end" : "0x" + t.toString(16)}`);
    return this.read();
  }

  optional(tag: number): Tlv | undefined {
    return this.peekTag() === tag ? this.read() : undefined;
  }

  /** Reads a SEQUENCE and returns a reader over its contents. */
  sequence(what: string): DerReader {
    return DerReader.of(this.expect(TAG.SEQUENCE, what));
  }

  end_(what: string): void {
    if (!this.done) throw new DerError(`${what}: trailing data`);
  }
}

export function parseBoolean(t: Tlv): boolean {
  if (t.tag !== TAG.BOOLEAN || t.value.length !== 1) throw new DerError("bad BOOLEAN");
  if (t.value[0] === 0xff) return true;
  if (t.value[0] === 0x00) return false;
  throw new DerError("BOOLEAN is not DER (00 or FF)");
}

/** INTEGER value bytes (two's complement), checked minimal. */
export function integerBytes(t: Tlv, tag: number = TAG.INTEGER): Uint8Array {
  const v = t.value;
  if (t.tag !== tag || v.length === 0) throw new DerError("bad INTEGER");
  if (v.length > 1 && ((v[0] === 0x00 && (v[1]! & 0x80) === 0) || (v[0] === 0xff && (v[1]! & 0x80) !== 0))) {
    throw new DerError("non-minimal INTEGER");
  }
  return v;
}

/** A small non-negative INTEGER as a number (up to 2^31-1). */
export function smallInteger(t: Tlv, tag: number = TAG.INTEGER): number {
  const v = integerBytes(t, tag);
  if (v[0]! & 0x80) throw new DerError("negative INTEGER where a count was expected");
  if (v.length > 4 || (v.length === 4 && v[0]! & 0x80)) throw new DerError("INTEGER too large");
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

export function parseOid(t: Tlv): string {
  const v = t.value;
  if (t.tag !== TAG.OID || v.length === 0 || v.length > 64) throw new DerError("bad OBJECT IDENTIFIER");
  const arcs: number[] = [];
  let acc = 0;
  let first = true;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (acc === 0 && b === 0x80) throw new DerError("non-minimal OID arc");
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 128) throw new DerError("OID arc too large");
    if ((b & 0x80) === 0) {
      if (first) {
        const a0 = acc < 40 ? 0 : acc < 80 ? 1 : 2;
        arcs.push(a0, acc - a0 * 40);
        first = false;
      } else arcs.push(acc);
      acc = 0;
    } else if (i === v.length - 1) throw new DerError("truncated OID arc");
  }
  return arcs.join(".");
}

export interface BitString {
  unusedBits: number;
  bytes: Uint8Array;
}

export function parseBitString(t: Tlv): BitString {
  const v = t.value;
  if (t.tag !== TAG.BIT_STRING || v.length === 0) throw new DerError("bad BIT STRING");
  const unused = v[0]!;
  if (unused > 7 || (v.length === 1 && unused !== 0)) throw new DerError("bad BIT STRING padding");
  if (unused && (v[v.length - 1]! & ((1 << unused) - 1)) !== 0) throw new DerError("BIT STRING padding bits are not zero");
  return { unusedBits: unused, bytes: v.subarray(1) };
}

const DIGITS = /^[0-9]+$/;

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), as RFC 5280 §4.1.2.5 requires. */
export function parseTime(t: Tlv): Date {
  const s = latin1(t.value);
  let year: number;
  let rest: string;
  if (t.tag === TAG.UTC_TIME) {
    if (s.length !== 13 || s[12] !== "Z" || !DIGITS.test(s.slice(0, 12))) throw new DerError("bad UTCTime");
    const yy = Number(s.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = s.slice(2, 12);
  } else if (t.tag === TAG.GENERALIZED_TIME) {
    if (s.length !== 15 || s[14] !== "Z" || !DIGITS.test(s.slice(0, 14))) throw new DerError("bad GeneralizedTime");
    year = Number(s.slice(0, 4));
    rest = s.slice(4, 14);
  } else throw new DerError("expected a time");
  const mo = Number(rest.slice(0, 2));
  const d = Number(rest.slice(2, 4));
  const h = Number(rest.slice(4, 6));
  const mi = Number(rest.slice(6, 8));
  const se = Number(rest.slice(8, 10));
  const ms = Date.UTC(year, mo - 1, d, h, mi, se);
  const back = new Date(ms);
  if (mo < 1 || mo > 12 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) throw new DerError("invalid date");
  return back;
}

export function latin1(b: Uint8Array): string {
  let s = "";
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/** Decodes the string types found in names. */
export function parseString(t: Tlv): string {
  switch (t.tag) {
    case TAG.UTF8_STRING: {
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(t.value);
      } catch {
        throw new DerError("bad UTF8String");
      }
    }
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.T61_STRING:
      for (const c of t.value) if (c > 0x7f && t.tag !== TAG.T61_STRING) throw new DerError("non-ASCII in an ASCII string");
      return latin1(t.value);
    case TAG.BMP_STRING: {
      if (t.value.length % 2) throw new DerError("bad BMPString");
      let s = "";
      for (let i = 0; i < t.value.length; i += 2) s += String.fromCharCode((t.value[i]! << 8) | t.value[i + 1]!);
      return s;
    }
    case TAG.UNIVERSAL_STRING: {
      if (t.value.length % 4) throw new DerError("bad UniversalString");
      let s = "";
      for (let i = 0; i < t.value.length; i += 4) {
        const cp = ((t.value[i]! << 24) | (t.value[i + 1]! << 16) | (t.value[i + 2]! << 8) | t.value[i + 3]!) >>> 0;
        if (cp > 0x10ffff) throw new DerError("bad UniversalString");
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      throw new DerError(`not a string type (0x${t.tag.toString(16)})`);
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}
