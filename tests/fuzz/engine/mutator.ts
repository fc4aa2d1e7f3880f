// The mutation engine: byte-level mutations in the spirit of libFuzzer/AFL (bit flips, interesting
// values, arithmetic, insert/delete/duplicate, splice with another corpus entry, dictionary tokens,
// length-field tweaks) plus line-level mutations for text protocols (SIP, SDP, PEM, JSON).
// Several mutations are stacked per input. Every mutation keeps the result within maxLength.
import { Rng } from "./rng.js";

export interface MutatorOptions {
  maxLength: number;
  /** Tokens worth inserting or overwriting with (keywords, magic numbers, delimiters). */
  dictionary?: readonly Uint8Array[];
  /** The input is text made of CRLF/LF lines: enable line mutations. */
  text?: boolean;
}

const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x20, 0x40, 0x0d, 0x0a, 0x30, 0x3a, 0x3b, 0x3d];
const INTERESTING_16 = [0x0000, 0x0001, 0x007f, 0x0080, 0x00ff, 0x0100, 0x7fff, 0x8000, 0xffff, 0x4000, 0x3fff];
const INTERESTING_32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0xffff, 0x1000000];

type Op = (b: Uint8Array, other: () => Uint8Array | undefined) => Uint8Array;

export class Mutator {
  private readonly ops: { name: string; op: Op; weight: number }[];
  private readonly total: number;
  /** How often each mutation produced an input that added coverage (for the run summary). */
  readonly useful = new Map<string, number>();
  lastOps: string[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly opts: MutatorOptions,
  ) {
    const dict = opts.dictionary ?? [];
    const list: { name: string; op: Op; weight: number }[] = [
      { name: "flipBit", op: (b) => this.flipBit(b), weight: 6 },
      { name: "setByte", op: (b) => this.setByte(b), weight: 4 },
      { name: "interesting", op: (b) => this.interesting(b), weight: 5 },
      { name: "arith", op: (b) => this.arith(b), weight: 5 },
      { name: "insertBytes", op: (b) => this.insertBytes(b), weight: 3 },
      { name: "deleteBytes", op: (b) => this.deleteBytes(b), weight: 4 },
      { name: "duplicate", op: (b) => this.duplicate(b), weight: 2 },
      { name: "copyWithin", op: (b) => this.copyWithin(b), weight: 2 },
      { name: "truncate", op: (b) => this.truncate(b), weight: 2 },
      { name: "lengthField", op: (b) => this.lengthField(b), weight: 5 },
      { name: "splice", op: (b, o) => this.splice(b, o()), weight: 3 },
      { name: "insertChunk", op: (b, o) => this.insertChunk(b, o()), weight: 2 },
    ];
    if (dict.length) {
      list.push({ name: "dictInsert", op: (b) => this.dictInsert(b, dict), weight: 4 });
      list.push({ name: "dictOverwrite", op: (b) => this.dictOverwrite(b, dict), weight: 3 });
    }
    if (opts.text) {
      list.push({ name: "lineDelete", op: (b) => this.lines(b, "delete"), weight: 3 });
      list.push({ name: "lineDuplicate", op: (b) => this.lines(b, "duplicate"), weight: 3 });
      list.push({ name: "lineSwap", op: (b) => this.lines(b, "swap"), weight: 2 });
      list.push({ name: "numberTweak", op: (b) => this.numberTweak(b), weight: 4 });
      list.push({ name: "lineEnding", op: (b) => this.lineEnding(b), weight: 1 });
    }
    this.ops = list;
    this.total = list.reduce((s, o) => s + o.weight, 0);
  }

  /** A mutant of `input`: 1..maxStack mutations stacked. `other` gives another corpus entry for splicing. */
  mutate(input: Uint8Array, other: () => Uint8Array | undefined, maxStack = 8): Uint8Array {
    let b = input;
    const n = this.rng.smallCount(maxStack);
    this.lastOps = [];
    for (let i = 0; i < n; i++) {
      const o = this.pickOp();
      this.lastOps.push(o.name);
      b = o.op(b, other);
      if (b.length > this.opts.maxLength) b = b.subarray(0, this.opts.maxLength);
    }
    return b === input ? Uint8Array.from(input) : b;
  }

  credit(): void {
    for (const n of this.lastOps) this.useful.set(n, (this.useful.get(n) ?? 0) + 1);
  }

  private pickOp(): { name: string; op: Op } {
    let r = this.rng.below(this.total);
    for (const o of this.ops) {
      if (r < o.weight) return o;
      r -= o.weight;
    }
    return this.ops[0]!;
  }

  private copy(b: Uint8Array): Uint8Array {
    return Uint8Array.from(b);
  }

  private flipBit(b: Uint8Array): Uint8Array {
    if (b.length === 0) return this.insertBytes(b);
    const c = this.copy(b);
    const i = this.rng.below(c.length);
    c[i]! ^= 1 << this.rng.below(8);
    return c;
  }

  private setByte(b: Uint8Array): Uint8Array {
    if (b.length === 0) return this.insertBytes(b);
    const c = this.copy(b);
    c[this.rng.below(c.length)] = this.rng.u32() & 0xff;
    return c;
  }

  private writeInt(c: Uint8Array, pos: number, width: number, v: number, little: boolean): void {
    for (let k = 0; k < width; k++) {
      const shift = little ? 8 * k : 8 * (width - 1 - k);
      c[pos + k] = Math.floor(v / 2 ** shift) & 0xff;
    }
  }

  private readInt(c: Uint8Array, pos: number, width: number, little: boolean): number {
    let v = 0;
    for (let k = 0; k < width; k++) {
      const byte = c[little ? pos + width - 1 - k : pos + k]!;
      v = v * 256 + byte;
    }
    return v;
  }

  private interesting(b: Uint8Array): Uint8Array {
    const width = this.rng.pick([1, 2, 4]);
    if (b.length < width) return this.setByte(b);
    const c = this.copy(b);
    const pos = this.rng.below(c.length - width + 1);
    const v = width === 1 ? this.rng.pick(INTERESTING_8) : width === 2 ? this.rng.pick(INTERESTING_16) : this.rng.pick(INTERESTING_32);
    this.writeInt(c, pos, width, v, this.rng.chance(0.3));
    return c;
  }

  private arith(b: Uint8Array): Uint8Array {
    const width = this.rng.pick([1, 2, 4]);
    if (b.length < width) return this.setByte(b);
    const c = this.copy(b);
    const pos = this.rng.below(c.length - width + 1);
    const little = this.rng.chance(0.3);
    const max = 2 ** (8 * width);
    const delta = this.rng.range(1, 35) * (this.rng.chance(0.5) ? 1 : -1);
    this.writeInt(c, pos, width, (this.readInt(c, pos, width, little) + delta + max) % max, little);
    return c;
  }

  private insertBytes(b: Uint8Array): Uint8Array {
    const n = this.rng.smallCount(32);
    const pos = this.rng.below(b.length + 1);
    const ins = this.rng.chance(0.5) ? new Uint8Array(n).fill(this.rng.u32() & 0xff) : this.rng.bytes(n);
    return concat(b.subarray(0, pos), ins, b.subarray(pos));
  }

  private deleteBytes(b: Uint8Array): Uint8Array {
    if (b.length < 2) return b;
    const n = Math.min(this.rng.smallCount(64), b.length - 1);
    const pos = this.rng.below(b.length - n + 1);
    return concat(b.subarray(0, pos), b.subarray(pos + n));
  }

  private duplicate(b: Uint8Array): Uint8Array {
    if (b.length === 0) return this.insertBytes(b);
    const n = Math.min(this.rng.smallCount(256), b.length);
    const from = this.rng.below(b.length - n + 1);
    const to = this.rng.below(b.length + 1);
    return concat(b.subarray(0, to), b.subarray(from, from + n), b.subarray(to));
  }

  private copyWithin(b: Uint8Array): Uint8Array {
    if (b.length < 2) return this.setByte(b);
    const c = this.copy(b);
    const n = Math.min(this.rng.smallCount(64), c.length - 1);
    const from = this.rng.below(c.length - n + 1);
    const to = this.rng.below(c.length - n + 1);
    c.copyWithin(to, from, from + n);
    return c;
  }

  private truncate(b: Uint8Array): Uint8Array {
    if (b.length === 0) return b;
    return b.subarray(0, this.rng.below(b.length));
  }

  /**
   * Treats 1..4 bytes at a random place as a big- or little-endian length and sets it to something
   * near the real size of what follows (±a few), to zero, or to a maximum: the classic way to reach
   * the bounds checks of a TLV parser.
   */
  private lengthField(b: Uint8Array): Uint8Array {
    const width = this.rng.pick([1, 2, 2, 3, 4]);
    if (b.length < width + 1) return this.interesting(b);
    const c = this.copy(b);
    const pos = this.rng.below(c.length - width + 1);
    const little = width !== 3 && this.rng.chance(0.2);
    const rest = c.length - pos - width;
    const max = 2 ** (8 * width) - 1;
    let v: number;
    switch (this.rng.below(5)) {
      case 0:
        v = rest;
        break;
      case 1:
        v = rest + this.rng.range(-4, 4);
        break;
      case 2:
        v = 0;
        break;
      case 3:
        v = max;
        break;
      default:
        v = this.readInt(c, pos, width, little) + this.rng.range(-8, 8);
    }
    v = Math.max(0, Math.min(max, v));
    this.writeInt(c, pos, width, v, little);
    return c;
  }

  private splice(b: Uint8Array, o: Uint8Array | undefined): Uint8Array {
    if (!o || o.length === 0 || b.length === 0) return this.duplicate(b);
    const cutA = this.rng.below(b.length + 1);
    const cutB = this.rng.below(o.length + 1);
    return concat(b.subarray(0, cutA), o.subarray(cutB));
  }

  private insertChunk(b: Uint8Array, o: Uint8Array | undefined): Uint8Array {
    if (!o || o.length === 0) return this.insertBytes(b);
    const n = Math.min(this.rng.smallCount(128), o.length);
    const from = this.rng.below(o.length - n + 1);
    const to = this.rng.below(b.length + 1);
    return concat(b.subarray(0, to), o.subarray(from, from + n), b.subarray(to));
  }

  private dictInsert(b: Uint8Array, dict: readonly Uint8Array[]): Uint8Array {
    const t = this.rng.pick(dict);
    const pos = this.rng.below(b.length + 1);
    return concat(b.subarray(0, pos), t, b.subarray(pos));
  }

  private dictOverwrite(b: Uint8Array, dict: readonly Uint8Array[]): Uint8Array {
    const t = this.rng.pick(dict);
    if (b.length < t.length) return this.dictInsert(b, dict);
    const c = this.copy(b);
    c.set(t, this.rng.below(c.length - t.length + 1));
    return c;
  }

  /** Line-level edits on text (lines end in LF; a CR before it stays with the line). */
  private lines(b: Uint8Array, what: "delete" | "duplicate" | "swap"): Uint8Array {
    const ls = splitLines(b);
    if (ls.length < 2) return this.duplicate(b);
    const i = this.rng.below(ls.length);
    if (what === "delete") ls.splice(i, 1);
    else if (what === "duplicate") ls.splice(this.rng.below(ls.length + 1), 0, ls[i]!);
    else {
      const j = this.rng.below(ls.length);
      [ls[i], ls[j]] = [ls[j]!, ls[i]!];
    }
    return concat(...ls);
  }

  /** Replaces a run of decimal digits with a boundary number (0, -1, 2^31, 2^53, very long...). */
  private numberTweak(b: Uint8Array): Uint8Array {
    const runs: [number, number][] = [];
    for (let i = 0; i < b.length; ) {
      if (b[i]! >= 0x30 && b[i]! <= 0x39) {
        let j = i;
        while (j < b.length && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
        runs.push([i, j]);
        i = j;
      } else i++;
    }
    if (runs.length === 0) return this.setByte(b);
    const [s, e] = this.rng.pick(runs);
    const old = Number(Buffer.from(b.subarray(s, e)).toString("latin1"));
    const choices = ["0", "1", "-1", "65535", "65536", "2147483647", "2147483648", "4294967296", "9007199254740993", "1e999", "99999999999999999999999", String(old + 1), String(Math.max(0, old - 1)), "00" + String(old)];
    return concat(b.subarray(0, s), Buffer.from(this.rng.pick(choices), "latin1"), b.subarray(e));
  }

  private lineEnding(b: Uint8Array): Uint8Array {
    const s = Buffer.from(b).toString("latin1");
    const variants = [s.replace(/\r\n/g, "\n"), s.replace(/\r?\n/g, "\r\n"), s.replace(/\r\n/, "\r"), s.replace(/\n/, "\r\n\r\n"), s + "\r\n"];
    return Buffer.from(this.rng.pick(variants), "latin1");
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function splitLines(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a) {
      out.push(b.subarray(s, i + 1));
      s = i + 1;
    }
  }
  if (s < b.length) out.push(b.subarray(s));
  return out;
}
