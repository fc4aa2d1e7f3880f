// Byte-level reader and writer for TLS presentation-language structures (RFC 8446 §3): fixed-width
// integers and vectors with 1-, 2- or 3-byte length prefixes. The reader never reads past its end:
// every shortfall or leftover is a DecodeError carrying the alert the RFC prescribes (decode_error).

/** A malformed handshake structure. `alert` is what the receiver must send (RFC 8446 §6.2). */
export class DecodeError extends Error {
  readonly alert: "decode_error" | "illegal_parameter" | "unexpected_message" | "handshake_failure" | "missing_extension";
  constructor(message: string, alert: DecodeError["alert"] = "decode_error") {
    super(message);
    this.name = "DecodeError";
    this.alert = alert;
  }
}

export class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what = "message",
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, field: string): void {
    if (n > this.buf.length - this.pos) throw new DecodeError(`${this.what}: ${field} runs past the end (${n} bytes needed, ${this.buf.length - this.pos} left)`);
  }

  u8(field = "u8"): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field = "u16"): number {
    this.need(2, field);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u24(field = "u24"): number {
    this.need(3, field);
    const v = (this.buf[this.pos]! << 16) | (this.buf[this.pos + 1]! << 8) | this.buf[this.pos + 2]!;
    this.pos += 3;
    return v;
  }

  bytes(n: number, field = "bytes"): Uint8Array {
    this.need(n, field);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A vector with a `lenBytes`-byte length prefix, whose length must lie in [min, max]. */
  vec(lenBytes: 1 | 2 | 3, field: string, min = 0, max = lenBytes === 1 ? 0xff : lenBytes === 2 ? 0xffff : 0xffffff): Uint8Array {
    const n = lenBytes === 1 ? this.u8(field) : lenBytes === 2 ? this.u16(field) : this.u24(field);
    if (n < min || n > max) throw new DecodeError(`${this.what}: ${field} length ${n} outside ${min}..${max}`);
    return this.bytes(n, field);
  }

  /** A sub-reader over a length-prefixed vector. */
  sub(lenBytes: 1 | 2 | 3, field: string, min = 0, max?: number): Reader {
    return new Reader(this.vec(lenBytes, field, min, max), `${this.what}.${field}`);
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.pos !== this.buf.length) throw new DecodeError(`${this.what}: ${this.buf.length - this.pos} unexpected trailing bytes`);
  }

  /** A list of u16 values inside a 2-byte-length vector (cipher suites, groups, schemes). */
  u16List(field: string, minBytes = 2): number[] {
    const r = this.sub(2, field, minBytes);
    if (r.remaining % 2 !== 0) throw new DecodeError(`${this.what}: ${field} has an odd length`);
    const out: number[] = [];
    while (r.remaining > 0) out.push(r.u16(field));
    return out;
  }
}

export class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  u8(v: number): this {
    this.grow(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.grow(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.grow(3);
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Writes a vector with a length prefix; the body is written by fn. */
  vec(lenBytes: 1 | 2 | 3, fn: (w: Writer) => void): this {
    const start = this.len;
    this.grow(lenBytes);
    this.len += lenBytes;
    fn(this);
    const n = this.len - start - lenBytes;
    const max = lenBytes === 1 ? 0xff : lenBytes === 2 ? 0xffff : 0xffffff;
    if (n > max) throw new RangeError(`vector of ${n} bytes does not fit a ${lenBytes}-byte length`);
    for (let i = 0; i < lenBytes; i++) this.buf[start + i] = (n >>> (8 * (lenBytes - 1 - i))) & 0xff;
    return this;
  }

  vecBytes(lenBytes: 1 | 2 | 3, b: Uint8Array): this {
    return this.vec(lenBytes, (w) => w.bytes(b));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
